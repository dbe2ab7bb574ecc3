/**
 * Between a scenario's setup and its measured runs, a shape settles, so that the runs measure
 * the steady cost of messages rather than the tail of start-up and setup: each Node.js process
 * does up to three large collections, 8 s apart, after a burst of work ends (V8's memory
 * reducer, 0.2-0.3 CPU-s per process), and PostgreSQL vacuums and analyses the tables the setup
 * filled. Both shapes get the same wait; the cluster also vacuums and checkpoints first.
 */
import pg from 'pg';

export interface QuietOptions {
  /** Waited at least. */
  readonly minMs: number;
  /** Waited at most, quiet or not. */
  readonly maxMs: number;
  /** A second in which the shape used at most this many CPU-seconds is quiet. */
  readonly quietCpuS: number;
  /**
   * How long the quiet must last: longer than V8's memory reducer waits between its
   * collections (8 s), so that one still to come would have broken it. The reducer runs up to
   * three of them, 8 s apart, after a burst; one second of quiet can fall between two.
   */
  readonly spellMs: number;
}

export const SETTLE: QuietOptions = {
  minMs: 10_000,
  maxMs: 60_000,
  quietCpuS: 0.1,
  spellMs: 9_000,
};

/**
 * How long after its start a shape is not yet settled, however quiet: a Node.js process that
 * did nothing since it started still has its start-up's collections to come, 20-35 s in (a
 * cluster's idle worker: 0.2-0.3 CPU-s each, on V8's helper threads), and no quiet before
 * them can tell they are coming.
 */
export const START_UP_MS = 40_000;

/** SETTLE for a shape started at `startedAt`: at least until START_UP_MS after its start. */
export function settleOptions(startedAt: number, now: number): QuietOptions {
  const sinceStart = now - startedAt;
  return {
    ...SETTLE,
    minMs: Math.max(SETTLE.minMs, START_UP_MS - sinceStart),
    maxMs: Math.max(SETTLE.maxMs, START_UP_MS - sinceStart + SETTLE.spellMs),
  };
}

export interface Time {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realTime: Time = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Samples the shape's CPU each second; returns once `minMs` passed and the last `spellMs`
 * were quiet, second by second (or at `maxMs`).
 */
export async function untilQuiet(
  cpuSeconds: () => number,
  options: QuietOptions = SETTLE,
  time: Time = realTime,
): Promise<void> {
  const started = time.now();
  let quietSince = started;
  let before = cpuSeconds();
  for (;;) {
    await time.sleep(1_000);
    const now = time.now();
    const after = cpuSeconds();
    if (after - before > options.quietCpuS) quietSince = now;
    before = after;
    if (now - started >= options.minMs && now - quietSince >= options.spellMs) return;
    if (now - started >= options.maxMs) return;
  }
}

/** What autovacuum would do in the measured window otherwise, for the rows setup wrote. */
export async function vacuum(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('vacuum analyze');
    await client.query('checkpoint');
  } finally {
    await client.end();
  }
}
