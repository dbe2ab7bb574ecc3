/**
 * A Parley cluster on loopback for multi-process tests: each node is the built CLI in its own
 * process (so a test can kill -9 it), with its roles, on shared engines. The cluster gets its
 * own NATS, Redis and etcd (so parallel test files never share a task queue or a membership
 * list) and a fresh database on the run's PostgreSQL or MariaDB.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type EtcdServer } from './etcd-server.js';
import { startNats, type NatsServer } from './nats-server.js';
import { freePort } from './ports.js';
import { CLI, run, type RunningProcess } from './process.js';
import { startRedis, type RedisServer } from './redis-server.js';

export const ADMIN_TOKEN = 'cluster-test-admin-token';
const LISTENING = /Parley is listening on (http:\/\/[^"\s]+)/;

export interface NodeSpec {
  readonly name: string;
  /** gateway, api, worker or a comma list. */
  readonly role: string;
}

export interface ClusterNode {
  readonly name: string;
  readonly role: string;
  readonly url: string;
  /** host:port of its gRPC server (api nodes). */
  readonly grpcAddr: string;
  /** The running process (the last one started). */
  process(): RunningProcess;
  /** Starts (again, after a kill: same port, same id) and waits until it listens. */
  start(): Promise<void>;
  /** SIGKILL, and waits until the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, and waits for a clean exit. */
  stop(): Promise<void>;
}

export interface Cluster {
  readonly nodes: ReadonlyMap<string, ClusterNode>;
  node(name: string): ClusterNode;
  readonly nats: NatsServer;
  readonly redis: RedisServer;
  readonly etcd: EtcdServer;
  readonly databaseUrl: string;
  /** Stops every node, then the engines the cluster started. */
  stop(): Promise<void>;
}

export const TWO_GATEWAYS_API_WORKER: readonly NodeSpec[] = [
  { name: 'gw-1', role: 'gateway' },
  { name: 'gw-2', role: 'gateway' },
  { name: 'api-1', role: 'api' },
  { name: 'worker-1', role: 'worker' },
];

export async function startCluster(options: {
  databaseUrl: string;
  nodes?: readonly NodeSpec[];
  /** More PARLEY_* settings for every node. */
  env?: Readonly<Record<string, string>>;
  /** Node.js flags for every node (the bench's --cpu-prof). */
  nodeArgs?: readonly string[];
}): Promise<Cluster> {
  const starting = [startNats(), startRedis(), startEtcd()] as const;
  // Stops what did start: a start that fails half-way leaves no engine behind.
  const stopEngines = () =>
    Promise.allSettled([
      starting[0].then((nats) => nats.dispose()),
      starting[1].then((redis) => redis.stop()),
      starting[2].then((etcd) => etcd.stop()),
    ]);
  let engines: [NatsServer, RedisServer, EtcdServer];
  try {
    engines = await Promise.all(starting);
  } catch (err) {
    await stopEngines();
    throw err;
  }
  const [nats, redis, etcd] = engines;
  const signingKey = generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-cluster-'));
  const shared: Record<string, string> = {
    PARLEY_HOST: '127.0.0.1',
    PARLEY_DATA_DIR: dataDir,
    PARLEY_DATABASE_URL: options.databaseUrl,
    PARLEY_NATS_URL: nats.url,
    PARLEY_REDIS_URL: redis.url,
    PARLEY_ETCD_ENDPOINTS: etcd.endpoint,
    PARLEY_JWT_PRIVATE_KEY: signingKey,
    PARLEY_ADMIN_TOKEN: ADMIN_TOKEN,
    PARLEY_ARGON2_MEMORY_KIB: '1024',
    PARLEY_ARGON2_ITERATIONS: '1',
    PARLEY_DM_POLICY: 'anyone',
    PARLEY_GROUP_ADD_POLICY: 'anyone',
    PARLEY_PRESENCE_TTL: '3',
    PARLEY_SHUTDOWN_TIMEOUT: '2',
    ...options.env,
  };
  const nodes = new Map<string, ClusterNode>();
  const stop = async () => {
    await Promise.all([...nodes.values()].map((node) => node.kill()));
    await stopEngines();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (const spec of options.nodes ?? TWO_GATEWAYS_API_WORKER) {
      nodes.set(spec.name, await clusterNode(spec, shared, options.nodeArgs ?? []));
    }
    // Nodes start one after another: the first migrates the database.
    for (const node of nodes.values()) await node.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    nodes,
    node(name) {
      const node = nodes.get(name);
      if (node === undefined) throw new Error(`no node ${name}`);
      return node;
    },
    nats,
    redis,
    etcd,
    databaseUrl: options.databaseUrl,
    stop,
  };
}

async function clusterNode(
  spec: NodeSpec,
  shared: Record<string, string>,
  nodeArgs: readonly string[],
): Promise<ClusterNode> {
  const port = await freePort();
  const grpcPort = await freePort();
  const env = {
    ...shared,
    PARLEY_ROLE: spec.role,
    PARLEY_NODE_ID: spec.name,
    PARLEY_PORT: String(port),
    PARLEY_GRPC_PORT: String(grpcPort),
  };
  let proc: RunningProcess | undefined;
  const alive = () => proc !== undefined && proc.child.exitCode === null && !proc.child.killed;
  return {
    name: spec.name,
    role: spec.role,
    url: `http://127.0.0.1:${port}`,
    grpcAddr: `127.0.0.1:${grpcPort}`,
    process() {
      if (proc === undefined) throw new Error(`${spec.name} was never started`);
      return proc;
    },
    async start() {
      proc = run('node', [...nodeArgs, CLI, 'start'], env);
      await proc.waitFor(LISTENING, 30_000);
    },
    async kill() {
      if (proc === undefined || !alive()) return;
      proc.signal('SIGKILL');
      await proc.exited;
    },
    async stop() {
      if (proc === undefined || !alive()) return;
      proc.signal('SIGTERM');
      await proc.exited;
    },
  };
}
