/**
 * Between a scenario's setup and its measured runs, a shape settles, so that the runs measure
 * the steady cost of messages rather than the tail of start-up and setup: each Node.js process
 * does one large collection some seconds after its first burst of work ends (V8's memory
 * reducer, 0.2-0.3 CPU-s per process), and PostgreSQL vacuums and analyses the tables the setup
 * filled. Both shapes get the same wait; the cluster also vacuums and checkpoints first.
 */
import pg from 'pg';

export interface QuietOptions {
  /** Waited at least: V8's memory reducer starts its collection 8 s after the work ends. */
  readonly minMs: number;
  /** Waited at most, quiet or not. */
  readonly maxMs: number;
  /** A second in which the shape used at most this many CPU-seconds is quiet. */
  readonly quietCpuS: number;
}

export const SETTLE: QuietOptions = { minMs: 10_000, maxMs: 30_000, quietCpuS: 0.1 };

export interface Time {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realTime: Time = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Waits `minMs`, then until a second passes with at most `quietCpuS` used (or `maxMs`). */
export async function untilQuiet(
  cpuSeconds: () => number,
  options: QuietOptions = SETTLE,
  time: Time = realTime,
): Promise<void> {
  const started = time.now();
  await time.sleep(options.minMs);
  for (;;) {
    const before = cpuSeconds();
    await time.sleep(1_000);
    if (cpuSeconds() - before <= options.quietCpuS) return;
    if (time.now() - started >= options.maxMs) return;
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
