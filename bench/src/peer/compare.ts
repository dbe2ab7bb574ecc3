/**
 * `--peer ejabberd`: the connect and direct scenarios against ejabberd, from the same load
 * process, and Parley/ejabberd ratio lines. The direct comparison steps both servers up the
 * same rates (a fresh server each run, like Parley's other scenarios) until a rate is no
 * longer sustained (p99 over the bound, or a message lost).
 */
import type { LoadProcess } from '../pool.js';
import { withServer, type Line } from '../report.js';
import type { BenchServer } from '../server.js';
import type { Job } from '../worker.js';
import { startEjabberd, type EjabberdServer } from './ejabberd.js';
import {
  connectRatio,
  directRatio,
  ladder,
  ladderSummary,
  P99_BOUND_MS,
  sustained,
} from './ratio.js';

export interface PeerPlan {
  /** Sessions of the connect scenario. */
  readonly connections: number;
  readonly pairs: number;
  readonly fromRate: number;
  readonly capRate: number;
  readonly durationMs: number;
}

export interface PeerDeps {
  readonly load: LoadProcess;
  readonly emit: (line: Line) => void;
  readonly withParley: <T>(fn: (server: BenchServer) => Promise<T>) => Promise<T>;
}

async function withEjabberd<T>(users: number, fn: (s: EjabberdServer) => Promise<T>): Promise<T> {
  const server = await startEjabberd({ users });
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

async function measure(deps: PeerDeps, server: BenchServer, job: Job): Promise<Line> {
  const line: Line = {
    ...withServer(server.name, await deps.load.run(server, job)),
    phase: 'peer',
  };
  if ('version' in server && 'mam' in server) {
    line.server_version = server.version;
    line.mam = server.mam;
  }
  deps.emit(line);
  return line;
}

/** ejabberd's connect line, and its ratio to Parley's when there is one. */
export async function comparePeerConnect(
  deps: PeerDeps,
  plan: PeerPlan,
  parley: Line | undefined,
): Promise<void> {
  const line = await withEjabberd(plan.connections, (s) =>
    measure(deps, s, {
      kind: 'xmpp-connect',
      url: s.url,
      params: { connections: plan.connections, concurrency: 100 },
    }),
  );
  if (parley !== undefined) deps.emit(connectRatio(parley, line));
}

/** Both servers up the same rates; a ratio line per common rate, then the summary. */
export async function comparePeerDirect(deps: PeerDeps, plan: PeerPlan): Promise<void> {
  const parleyLines: Line[] = [];
  const peerLines: Line[] = [];
  let parleyOn = true;
  let peerOn = true;
  const base = { pairs: plan.pairs, durationMs: plan.durationMs };
  for (const rate of ladder(plan.fromRate, plan.capRate)) {
    let parley: Line | undefined;
    let peer: Line | undefined;
    if (parleyOn) {
      parley = await deps.withParley((s) =>
        measure(deps, s, {
          kind: 'direct',
          url: s.url,
          params: { ...base, rate, target: 'parley' },
        }),
      );
      parleyLines.push(parley);
      parleyOn = sustained(parley, P99_BOUND_MS);
    }
    if (peerOn) {
      peer = await withEjabberd(plan.pairs * 2, (s) =>
        measure(deps, s, { kind: 'xmpp-direct', url: s.url, params: { ...base, rate } }),
      );
      peerLines.push(peer);
      peerOn = sustained(peer, P99_BOUND_MS);
    }
    if (parley !== undefined && peer !== undefined) deps.emit(directRatio(parley, peer));
    if (!parleyOn && !peerOn) break;
  }
  deps.emit(ladderSummary(parleyLines, peerLines, plan.capRate));
}
