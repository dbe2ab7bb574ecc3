/**
 * `npm run bench [-- --quick] [--scenario connect,direct,knee,group,reconnect,history,ext,devices,grpc,bridge]
 *   [--database-url postgres://…] [--results FILE] [--cpu-prof DIR] [--peer ejabberd]
 *   [--rates 1000,10000] [--pairs N] [--duration S] [--members N] [--group-rate N]
 *   [--connections N] [--clients N] [--online N] [--devices N] [--protocol-version 1|2|3]
 *   [--ai-peer h2|grpc-js]`
 *
 * Starts the server under test in its own process (Parley on a fresh embedded store unless
 * --database-url; the bare ws relay for the floors), drives it from a forked load process
 * over real WebSocket connections, and prints a table and one JSON line per scenario, also
 * appended to the results file. Everything targets loopback and is bounded in count and time.
 * `--peer ejabberd` runs connect and direct against ejabberd too (peer/compare.ts) and prints
 * Parley/ejabberd ratio lines; without --scenario it runs only those two.
 *
 * `--cluster [--quick] [--scenario direct,group] [--rates 2000] [--members 10000]
 *   [--online 1000] [--group-rate N] [--pairs N] [--duration S] [--rounds N]` runs direct and group against
 * the embedded shape and against a cluster (two gateways, an api, a worker, on PostgreSQL,
 * NATS, Redis and etcd), and compares them (cluster/run-cluster.ts); `--set PARLEY_X=value`
 * (repeatable) gives every Parley process of the cluster a setting, to try one against the
 * embedded shape as `npm start` runs it.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BRIDGE_ADMIN_TOKEN } from './load/bridge.js';
import { DEAD_EXTENSION_ENV } from './load/ext.js';
import { runClusterBench, type ClusterPlan } from './cluster/run-cluster.js';
import { comparePeerConnect, comparePeerDirect } from './peer/compare.js';
import { LoadProcess } from './pool.js';
import { report, withServer, type Line } from './report.js';
import { runGrpcVersusRest } from './grpc-versus-rest.js';
import { freePort, startParley, startRelay, type BenchServer } from './server.js';
import { nextRate } from './stats.js';
import type { Job } from './worker.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    'database-url': { type: 'string' },
    results: { type: 'string' },
    'cpu-prof': { type: 'string' },
    set: { type: 'string', multiple: true },
    peer: { type: 'string' },
    rates: { type: 'string' },
    pairs: { type: 'string' },
    duration: { type: 'string' },
    'warm-up': { type: 'string' },
    rounds: { type: 'string' },
    members: { type: 'string' },
    'group-rate': { type: 'string' },
    connections: { type: 'string' },
    clients: { type: 'string' },
    cluster: { type: 'boolean', default: false },
    online: { type: 'string' },
    devices: { type: 'string' },
    'protocol-version': { type: 'string' },
    'ai-peer': { type: 'string' },
  },
});

/** A flag's value as a positive whole number. */
function positive(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag} ${raw}: a positive integer`);
  return n;
}

/** A positive whole number from a flag, or the default when the flag is absent. */
function count(flag: string, fallback: number): number {
  const raw = (values as Record<string, string | string[] | boolean | undefined>)[flag];
  return typeof raw === 'string' ? positive(flag, raw) : fallback;
}

const quick = values.quick === true;
const peer = values.peer;
if (peer !== undefined && peer !== 'ejabberd') throw new Error(`--peer ${peer}: only ejabberd`);
const plan = {
  connections: count('connections', quick ? 500 : 10_000),
  pairs: count('pairs', quick ? 10 : 100),
  rates:
    values.rates === undefined
      ? quick
        ? [1_000]
        : [1_000, 10_000]
      : values.rates.split(',').map((r) => positive('rates', r)),
  durationMs: count('duration', quick ? 2 : 8) * 1000,
  kneeStartRate: 2_000,
  kneeCap: 40_000,
  kneeDurationMs: 4_000,
  members: count('members', quick ? 100 : 1_000),
  groupRate: count('group-rate', quick ? 20 : 150),
  reconnectClients: count('clients', quick ? 200 : 5_000),
  missed: quick ? 20 : 50,
  readers: quick ? 5 : 20,
  devices: count('devices', quick ? 100 : 1_000),
  unaryCallers: count('clients', quick ? 8 : 32),
  peer: {
    connections: quick ? 500 : 10_000,
    pairs: quick ? 10 : 100,
    fromRate: 1_000,
    capRate: quick ? 4_000 : 16_000,
    durationMs: quick ? 2_000 : 4_000,
  },
};
const clusterPlan = (): ClusterPlan => {
  const members = count('members', quick ? 2_000 : 10_000);
  const scenarios = (values.scenario ?? 'direct,group').split(',');
  for (const s of scenarios) {
    if (s !== 'direct' && s !== 'group')
      throw new Error(`--cluster --scenario ${s}: direct or group`);
  }
  return {
    scenarios: scenarios as ('direct' | 'group')[],
    rates: values.rates === undefined ? [2_000] : plan.rates,
    pairs: count('pairs', quick ? 20 : 100),
    durationMs: count('duration', quick ? 2 : 15) * 1000,
    members,
    online: Math.min(members, count('online', quick ? 200 : 1_000)),
    groupRate: count('group-rate', 10),
    rounds: count('rounds', quick ? 1 : 2),
    warmUpMs: count('warm-up', 5) * 1000,
    nodeArgs: profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`],
    env: settings(values.set ?? []),
  };
};

/** `--set PARLEY_X=value` (repeatable): settings for every Parley process of the cluster. */
function settings(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^(PARLEY_[A-Z0-9_]+)=(.*)$/.exec(pair);
    if (match === null) throw new Error(`--set ${pair}: PARLEY_NAME=value`);
    env[match[1] as string] = match[2] as string;
  }
  return env;
}
const all = [
  'connect',
  'direct',
  'knee',
  'group',
  'reconnect',
  'history',
  'ext',
  'devices',
  'grpc',
  'bridge',
];
const scenarios = (
  values.scenario ??
  (peer !== undefined
    ? 'connect,direct'
    : (quick ? all.filter((s) => s !== 'knee') : all).join(','))
).split(',');
const resultsFile =
  values.results ?? fileURLToPath(new URL('../results/results.jsonl', import.meta.url));
const profile = values['cpu-prof'];

const load = new LoadProcess();
const emit = (line: Line) => report(line, resultsFile);

async function withParley<T>(
  fn: (server: BenchServer) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  const server = await startParley({
    env,
    databaseUrl: values['database-url'],
    nodeArgs: profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`],
  });
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

async function withRelay<T>(fn: (server: BenchServer) => Promise<T>): Promise<T> {
  const relay = await startRelay();
  try {
    return await fn(relay);
  } finally {
    await relay.stop();
  }
}

async function measure(server: BenchServer, job: Job): Promise<Line> {
  const line = withServer(server.name, await load.run(server, job));
  emit(line);
  return line;
}

try {
  if (values.cluster) {
    const log = (text: string) => process.stdout.write(text);
    await runClusterBench(clusterPlan(), { load, emit, log });
  } else await runStandard();
} finally {
  load.close();
}

async function runStandard(): Promise<void> {
  let parleyConnect: Line | undefined;
  if (scenarios.includes('connect')) {
    parleyConnect = await withParley((s) =>
      measure(s, {
        kind: 'connect',
        url: s.url,
        params: { connections: plan.connections, concurrency: 100 },
      }),
    );
  }
  if (scenarios.includes('direct')) {
    for (const rate of plan.rates) {
      const params = { pairs: plan.pairs, rate, durationMs: plan.durationMs };
      const parley = await withParley((s) =>
        measure(s, { kind: 'direct', url: s.url, params: { ...params, target: 'parley' } }),
      );
      const floor = await withRelay((s) =>
        measure(s, { kind: 'direct', url: s.url, params: { ...params, target: 'relay' } }),
      );
      emit({
        scenario: 'direct-ratio',
        server: 'parley/relay',
        target_rate: rate,
        cpu_ratio: ratio(parley.server_cpu_s_per_10k, floor.server_cpu_s_per_10k),
        p99_ms: parley.p99_ms,
        floor_p99_ms: floor.p99_ms,
      });
    }
  }
  if (peer === 'ejabberd') {
    const deps = { load, emit, withParley };
    if (scenarios.includes('connect')) await comparePeerConnect(deps, plan.peer, parleyConnect);
    if (scenarios.includes('direct')) await comparePeerDirect(deps, plan.peer);
  }
  if (scenarios.includes('knee')) {
    // Step the rate up until p99 passes 50 ms: the knee.
    let rate: number | undefined = plan.kneeStartRate;
    let best: Line | undefined;
    while (rate !== undefined) {
      const line: Line = await withParley((s) =>
        measure(s, {
          kind: 'direct',
          url: s.url,
          params: {
            pairs: plan.pairs,
            rate: rate as number,
            durationMs: plan.kneeDurationMs,
            target: 'parley',
          },
        }),
      );
      if (Number(line.p99_ms) > 50 || Number(line.failed) > 0) break;
      best = line;
      rate = nextRate(rate, plan.kneeCap);
    }
    emit({
      scenario: 'knee',
      server: 'parley',
      max_rate_p99_under_50ms: best?.target_rate ?? 0,
      msgs_per_s: best?.msgs_per_s ?? 0,
      p99_ms: best?.p99_ms ?? 0,
    });
  }
  if (scenarios.includes('group')) {
    const params = {
      members: plan.members,
      online: Math.min(plan.members, count('online', plan.members)),
      rate: plan.groupRate,
      durationMs: plan.durationMs,
    };
    const parley = await withParley((s) =>
      measure(s, { kind: 'group', url: s.url, params: { ...params, target: 'parley' } }),
    );
    const floor = await withRelay((s) =>
      measure(s, { kind: 'group', url: s.url, params: { ...params, target: 'relay' } }),
    );
    emit({
      scenario: 'group-ratio',
      server: 'parley/relay',
      cpu_per_delivery_ratio: ratio(
        parley.server_cpu_us_per_delivery,
        floor.server_cpu_us_per_delivery,
      ),
      deliveries_per_s: parley.deliveries_per_s,
      floor_deliveries_per_s: floor.deliveries_per_s,
    });
  }
  if (scenarios.includes('reconnect')) {
    await withParley((s) =>
      measure(s, {
        kind: 'reconnect',
        url: s.url,
        params: { clients: plan.reconnectClients, missed: plan.missed },
      }),
    );
  }
  if (scenarios.includes('history')) {
    await withParley((s) =>
      measure(s, {
        kind: 'history',
        url: s.url,
        params: {
          readers: plan.readers,
          writeRate: 200,
          prefill: 1_000,
          durationMs: plan.durationMs,
        },
      }),
    );
  }
  if (scenarios.includes('grpc')) {
    await runGrpcVersusRest(
      { withParley, measure, emit },
      { callers: plan.unaryCallers, durationMs: plan.durationMs },
    );
  }
  if (scenarios.includes('ext')) {
    await withParley(
      (s) =>
        measure(s, {
          kind: 'ext',
          url: s.url,
          params: {
            pairs: plan.pairs,
            rate: plan.rates[0] ?? 1_000,
            durationMs: plan.durationMs,
            target: 'parley',
            extRate: 100,
          },
        }),
      DEAD_EXTENSION_ENV,
    );
  }
  if (scenarios.includes('devices')) await runDevicesScenario();
  if (scenarios.includes('bridge')) {
    await withParley(
      (s) =>
        measure(s, {
          kind: 'bridge',
          url: s.url,
          params: {
            deltas: quick ? 5 : 30,
            snapshots: quick ? 2 : 5,
            readers: quick ? 4 : 8,
            pageRate: quick ? 200 : 500,
            durationMs: plan.durationMs,
            chatRate: 1_000,
            pairs: plan.pairs,
          },
        }),
      { PARLEY_ADMIN_TOKEN: BRIDGE_ADMIN_TOKEN },
    );
  }
}

async function runDevicesScenario(): Promise<void> {
  const aiPort = await freePort();
  const version = Number(values['protocol-version'] ?? 3);
  if (version !== 1 && version !== 2 && version !== 3)
    throw new Error('--protocol-version 1, 2 or 3');
  const aiPeer = values['ai-peer'] ?? 'h2';
  if (aiPeer !== 'h2' && aiPeer !== 'grpc-js') throw new Error('--ai-peer h2 or grpc-js');
  await withParley(
    (s) =>
      measure(s, {
        kind: 'devices',
        url: s.url,
        params: {
          devices: plan.devices,
          durationMs: plan.durationMs,
          aiPort,
          aiPeer,
          serverPid: s.pid,
          version,
        },
      }),
    {
      PARLEY_AI_ADDR: `127.0.0.1:${aiPort}`,
      PARLEY_AI_RECONNECT_MAX_MS: '500',
      PARLEY_AI_STREAMS: '4',
    },
  );
}

function ratio(a: unknown, b: unknown): number | null {
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && y > 0 ? Math.round((x / y) * 100) / 100 : null;
}
