import { mkdirSync } from 'node:fs';
import { buildBundle } from './build-bundle.ts';
import { sweepBench } from './sweep-bench.ts';
mkdirSync('bench/out', { recursive: true });
await buildBundle('bench/child.ts', 'bench/out/child.mjs', 'node20');
const keys = Number(process.argv[2] ?? 1000);
const naive = process.argv[3] === 'naive';
const limited = process.argv[3] !== 'unlimited';
console.log(await sweepBench({ bundle: 'bench/out/child.mjs', outDir: 'bench/out', keys, rateLimit: limited, latencyMs: limited ? 50 : 0, ...(naive ? { naive: { maxKeys: Number(process.argv[4] ?? 1e9) } } : {}) }));
