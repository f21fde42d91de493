import type { FaultKind, FaultRule } from './types.ts';

interface ActiveRule {
  readonly rule: FaultRule;
  seen: number;
  applied: number;
}

/** Scripted faults: the first rule that matches a request and still has uses left decides its fault. */
export class FaultInjector {
  #rules: ActiveRule[] = [];
  #injected = 0;

  /** Requests that got a fault so far (over every rule, removed ones included). */
  get injected(): number {
    return this.#injected;
  }

  add(rule: FaultRule): () => void {
    const active: ActiveRule = { rule, seen: 0, applied: 0 };
    this.#rules.push(active);
    return () => {
      this.#rules = this.#rules.filter((candidate) => candidate !== active);
    };
  }

  clear(): void {
    this.#rules = [];
  }

  /** The fault for this request, counting it against every rule it matches. */
  match(method: string, path: string): FaultKind | undefined {
    let chosen: FaultKind | undefined;
    for (const active of this.#rules) {
      const { rule } = active;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path !== undefined && !matchesPath(rule.path, path)) continue;
      active.seen += 1;
      if (chosen !== undefined || active.seen <= (rule.after ?? 0)) continue;
      if (active.applied >= (rule.times ?? Number.POSITIVE_INFINITY)) continue;
      active.applied += 1;
      chosen = rule.fault;
      this.#injected += 1;
    }
    return chosen;
  }
}

function matchesPath(pattern: string | RegExp, path: string): boolean {
  if (typeof pattern === 'string') return path.includes(pattern);
  pattern.lastIndex = 0;
  return pattern.test(path);
}
