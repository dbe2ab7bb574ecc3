/** Latency statistics for the benchmark: exact percentiles over recorded samples. */

export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** The nearest-rank percentile of ascending-sorted samples (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  const sum = list.reduce((a, b) => a + b, 0);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    count: list.length,
    p50: round(percentile(list, 50)),
    p90: round(percentile(list, 90)),
    p95: round(percentile(list, 95)),
    p99: round(percentile(list, 99)),
    max: round(list.at(-1) ?? 0),
    mean: round(list.length === 0 ? 0 : sum / list.length),
  };
}

/**
 * Open-loop schedule: the times (ms from start) at which `rate` messages per second are due
 * over `durationMs`. Latency is measured from these times, not from when a send was actually
 * made, so a stalled server cannot hide its stall (no coordinated omission).
 */
export function schedule(rate: number, durationMs: number): number[] {
  const count = Math.floor((rate * durationMs) / 1000);
  const interval = 1000 / rate;
  return Array.from({ length: count }, (_, i) => i * interval);
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
export function cpuSeconds(stat: string, ticksPerSecond = 100): number {
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / ticksPerSecond;
}

/** CPU seconds each process used between two readings (a process missing before counts from 0). */
export function cpuDelta(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, end] of Object.entries(after))
    out[name] = Math.max(0, end - (before[name] ?? 0));
  return out;
}

/** The next rate of a knee search: double, capped; undefined when the cap is passed. */
export function nextRate(rate: number, cap: number): number | undefined {
  const next = rate * 2;
  return next > cap ? undefined : next;
}
