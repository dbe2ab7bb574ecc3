/**
 * The two shapes under test: embedded (one process, every role, SQLite) and cluster (two
 * gateways, an api and a worker, each its own process, on PostgreSQL, NATS with JetStream,
 * Redis and etcd from Debian's packages). The cluster is started with the test suite's own
 * starters (packages/server/test/support, compiled to test/dist by `npm run bench`).
 */
import { readFileSync } from 'node:fs';
import { startCluster, type Cluster } from '#test-support/cluster.js';
import { createDatabase, startPostgres } from '#test-support/postgres-server.js';
import type { Sampled } from '../pool.js';
import { clockTicksPerSecond, killTrees, treeCpuSeconds } from '../proc.js';
import { BENCH_SETTINGS, startParley } from '../server.js';
import { settleOptions, untilQuiet, vacuum } from './settle.js';

export type ShapeName = 'embedded' | 'cluster';

export interface Shape extends Required<Sampled> {
  readonly name: ShapeName;
  /** Where clients sign up and create groups (REST). */
  readonly api: string;
  /** Where clients open their WebSockets, round-robin. */
  readonly gateways: readonly string[];
  /** The process trees that make up the server side: Parley processes and engines. */
  readonly processes: ReadonlyMap<string, number>;
  stop(): Promise<void>;
  /** The warnings and errors the Parley processes logged so far (pino levels 40+), last first. */
  problems(): string[];
  /** SIGKILLs every process tree now, unless stopped already (for a bench that must exit). */
  kill(): void;
}

export interface ShapeOptions {
  /** PARLEY_FANOUT_WORKER_THRESHOLD: groups over it fan out from the worker (cluster). */
  readonly fanoutThreshold: number;
  /** Node.js flags for every Parley process (--cpu-prof). */
  readonly nodeArgs: readonly string[];
  /** Settings for every Parley process of the cluster (`--set`), over the bench's own. */
  readonly env: Readonly<Record<string, string>>;
}

export function startShape(name: ShapeName, options: ShapeOptions): Promise<Shape> {
  return name === 'embedded' ? startEmbedded(options) : startClusterShape(options);
}

async function startEmbedded(options: ShapeOptions): Promise<Shape> {
  // The baseline, as `npm start` runs: `--set` is for the cluster only.
  const server = await startParley({ nodeArgs: options.nodeArgs });
  return shape({
    name: 'embedded',
    api: server.url,
    gateways: [server.url],
    processes: new Map([['parley', server.pid]]),
    // The bench's own server keeps no log (it runs at warn, its stdout ignored).
    problems: () => [],
    prepare: async () => {},
    stop: () => server.stop(),
  });
}

async function startClusterShape(options: ShapeOptions): Promise<Shape> {
  const postgres = await startPostgres();
  let cluster: Cluster;
  let databaseUrl: string;
  try {
    databaseUrl = await createDatabase(postgres.url);
    cluster = await startCluster({
      databaseUrl,
      env: {
        ...BENCH_SETTINGS,
        // The product's default, not the tests' short one: heartbeats as in production.
        PARLEY_PRESENCE_TTL: '15',
        PARLEY_FANOUT_WORKER_THRESHOLD: String(options.fanoutThreshold),
        ...options.env,
      },
      nodeArgs: options.nodeArgs,
    });
  } catch (err) {
    await postgres.stop();
    throw err;
  }
  const stop = async () => {
    try {
      // SIGTERM first (a node writes its --cpu-prof profile only on a clean exit), bounded;
      // then SIGKILL whatever is left, and the engines.
      const graceful = Promise.all([...cluster.nodes.values()].map((node) => node.stop()));
      await Promise.race([graceful, new Promise((r) => setTimeout(r, 5_000).unref())]);
      await cluster.stop();
    } finally {
      await postgres.stop();
    }
  };
  try {
    const processes = new Map<string, number>();
    for (const node of cluster.nodes.values())
      processes.set(node.name, pidOf(node.process().child.pid, node.name));
    processes.set('postgres', pidOf(postgres.pid(), 'postgres'));
    processes.set('nats', pidOf(cluster.nats.pid(), 'nats-server'));
    processes.set('redis', pidOf(cluster.redis.pid(), 'redis-server'));
    processes.set('etcd', pidOf(cluster.etcd.pid(), 'etcd'));
    const gateways = [...cluster.nodes.values()].filter((n) => n.role === 'gateway');
    return shape({
      name: 'cluster',
      api: cluster.node('api-1').url,
      gateways: gateways.map((n) => n.url),
      processes,
      problems: () =>
        [...cluster.nodes.values()].flatMap((n) => problemLines(n.name, n.process().output())),
      prepare: () => vacuum(databaseUrl),
      stop,
    });
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Pino lines at warn (40) or above, the last 20, each prefixed with the process's name. */
function problemLines(name: string, output: string): string[] {
  return output
    .split('\n')
    .filter((line) => /"level":(4|5|6)0/.test(line))
    .slice(-20)
    .map((line) => `${name}: ${line.slice(0, 600)}`);
}

function pidOf(pid: number | undefined, what: string): number {
  if (pid === undefined) throw new Error(`${what} has no process id: it is not running`);
  return pid;
}

/** Adds the sampling (CPU of each process tree from /proc, RSS of the roots); stops once. */
function shape(base: ShapeBase): Shape {
  const ticks = clockTicksPerSecond();
  const cpuByProcess = () => treeCpuSeconds(base.processes, ticks);
  const cpuSeconds = () => Object.values(cpuByProcess()).reduce((a, b) => a + b, 0);
  const startedAt = Date.now();
  let stopping: Promise<void> | undefined;
  let stopped = false;
  return {
    ...base,
    stop: () =>
      (stopping ??= base.stop().then(() => {
        stopped = true;
      })),
    kill: () => {
      if (!stopped) killTrees(base.processes.values());
    },
    cpuByProcess,
    cpuSeconds,
    settle: async () => {
      await base.prepare();
      await untilQuiet(cpuSeconds, settleOptions(startedAt, Date.now()));
    },
    rssBytes: () => [...base.processes.values()].reduce((sum, pid) => sum + rssOf(pid), 0),
  };
}

type ShapeBase = Omit<Shape, keyof Sampled | 'kill'> & {
  /** The shape's own housekeeping before the wait for quiet (the cluster vacuums). */
  prepare(): Promise<void>;
};

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}
