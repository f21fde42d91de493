import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { issue14Bench } from './issue14-bench.ts';
import { issue14Json, issue14Targets, renderIssue14 } from './issue14-report.ts';

/**
 * `npx tsx bench/issue14.ts`: issue 14's benchmark rows alone (about 6 minutes). Prints them with their targets
 * and PASS / MISS, and writes the figures into `bench/results.json` under `issue14`, keeping the rest of the file.
 * Exits 1 when a target is missed. (`npm run bench` runs the same rows after its own.)
 */
const RESULTS = 'bench/results.json';
const started = performance.now();
const step = (what: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${what}`);

const results = await issue14Bench({ step });
const targets = issue14Targets(results);
console.log(renderIssue14(results, targets));
console.log(`\nbench/issue14.ts took ${(results.durationMs / 60_000).toFixed(1)} min`);

const previous: Record<string, unknown> = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>) : {};
writeFileSync(RESULTS, `${JSON.stringify({ ...previous, issue14: issue14Json(results, targets) }, roundNumbers, 2)}\n`);
if (targets.some((target) => !target.pass)) process.exitCode = 1;

/** Three decimals are plenty for every figure. */
function roundNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value;
}
