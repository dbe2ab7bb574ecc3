/** What one edge's run found: cases tried, and each broken invariant with a few examples. */
export class Tally {
  readonly edge: string;
  cases = 0;
  /** Answers by status or code, for the summary. */
  readonly answers = new Map<string, number>();
  /** Broken invariants by kind ("5xx", "INTERNAL", "shape", "closed", "crash", ...). */
  readonly failures = new Map<string, number>();
  /** Up to four examples per kind of failure. */
  readonly examples: string[] = [];
  readonly #examplesPerKind = new Map<string, number>();

  constructor(edge: string) {
    this.edge = edge;
  }

  answer(key: string | number): void {
    const k = String(key);
    this.answers.set(k, (this.answers.get(k) ?? 0) + 1);
  }

  fail(kind: string, example: string): void {
    this.failures.set(kind, (this.failures.get(kind) ?? 0) + 1);
    const shown = this.#examplesPerKind.get(kind) ?? 0;
    if (shown >= 4) return;
    this.#examplesPerKind.set(kind, shown + 1);
    this.examples.push(`${kind}: ${example.slice(0, 400)}`);
  }

  count(kind: string): number {
    return this.failures.get(kind) ?? 0;
  }

  get failed(): number {
    let total = 0;
    for (const n of this.failures.values()) total += n;
    return total;
  }

  summary(): Record<string, unknown> {
    return {
      edge: this.edge,
      cases: this.cases,
      failed: this.failed,
      failures: Object.fromEntries(this.failures),
      answers: Object.fromEntries([...this.answers].sort()),
      examples: this.examples,
    };
  }
}

/** Runs `count` cases, `concurrency` at a time; `each` gets the case index. */
export async function runPool(
  count: number,
  concurrency: number,
  each: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await each(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
