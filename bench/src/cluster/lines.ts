/**
 * The --cluster bench's output lines: one per scenario and shape (with the CPU of every
 * process tree), and one comparing the shapes against the targets, which are printed, not
 * asserted.
 */
import type { Measured } from '../pool.js';
import { round, withServer, type Line } from '../report.js';

export const TARGETS = {
  /** Cluster CPU per delivered message within 2× the embedded shape's. */
  cpuRatio: 2,
  /** direct: p99 at 2,000 msgs/s. */
  directP99Ms: 50,
  directRate: 2_000,
  /** group: p99 until the last online member has the message. */
  groupP99Ms: 500,
} as const;

/** A scenario's line for one shape: the load's result, total server CPU and its split. */
export function shapeLine(shape: string, measured: Measured): Line {
  const line = withServer(`parley-${shape}`, measured);
  const split = measured.cpuByProcess ?? {};
  const r = measured.result;
  return {
    ...line,
    shape,
    ...(typeof r.client_cpu_s === 'number' &&
      r.delivered > 0 && {
        client_cpu_us_per_delivery: round((r.client_cpu_s / r.delivered) * 1e6, 2),
      }),
    ...(measured.machineCpuSeconds !== undefined && {
      machine_cpu_s: round(measured.machineCpuSeconds, 3),
      // What ran beside the bench on the shared machine, in its window.
      other_cpu_s: round(
        Math.max(0, measured.machineCpuSeconds - measured.cpuSeconds - Number(r.client_cpu_s ?? 0)),
        3,
      ),
    }),
    cpu_s_by_process: Object.fromEntries(
      Object.entries(split).map(([name, seconds]) => [name, round(seconds, 3)]),
    ),
    cpu_shares: cpuShares(split),
  };
}

/** "postgres 41%, gw-1 22%, …": each process tree's share of the total, largest first. */
export function cpuShares(split: Readonly<Record<string, number>>): string {
  const total = Object.values(split).reduce((a, b) => a + b, 0);
  if (total <= 0) return '';
  return Object.entries(split)
    .sort(([, a], [, b]) => b - a)
    .map(([name, seconds]) => `${name} ${Math.round((seconds / total) * 100)}%`)
    .join(', ');
}

/**
 * A shape's rounds of one scenario as one line: CPU and deliveries summed (so the CPU per
 * delivery is over every window), the worst p99, the rate of the slowest round, and each
 * round's own CPU per delivery.
 */
export function combineRounds(lines: readonly Line[]): Line {
  const first = lines[0];
  if (first === undefined) throw new Error('no rounds to combine');
  const sum = (key: string) => lines.reduce((total, line) => total + Number(line[key] ?? 0), 0);
  const cpu = sum('server_cpu_s');
  const delivered = sum('delivered');
  const byProcess: Record<string, number> = {};
  for (const line of lines) {
    for (const [name, seconds] of Object.entries(
      (line.cpu_s_by_process ?? {}) as Record<string, number>,
    ))
      byProcess[name] = round((byProcess[name] ?? 0) + seconds, 3);
  }
  return {
    ...first,
    rounds: lines.length,
    sent: sum('sent'),
    delivered,
    ...(first.expected_deliveries !== undefined && {
      expected_deliveries: sum('expected_deliveries'),
    }),
    msgs_per_s: Math.min(...lines.map((line) => Number(line.msgs_per_s))),
    p99_ms: Math.max(...lines.map((line) => Number(line.p99_ms))),
    server_cpu_s: round(cpu, 3),
    ...(delivered > 0 && { server_cpu_us_per_delivery: round((cpu / delivered) * 1e6, 2) }),
    server_cpu_us_per_delivery_by_round: lines.map((line) => line.server_cpu_us_per_delivery),
    cpu_s_by_process: byProcess,
    cpu_shares: cpuShares(byProcess),
  };
}

/** The comparison of the two shapes on one scenario (and rate), with the targets beside it. */
export function compareShapes(scenario: 'direct' | 'group', embedded: Line, cluster: Line): Line {
  const ratio = quotient(cluster.server_cpu_us_per_delivery, embedded.server_cpu_us_per_delivery);
  const byRound = (line: Line) => (line.server_cpu_us_per_delivery_by_round ?? []) as unknown[];
  const clusterRounds = byRound(cluster);
  const embeddedRounds = byRound(embedded);
  const p99 = Number(cluster.p99_ms);
  const p99Target = scenario === 'direct' ? TARGETS.directP99Ms : TARGETS.groupP99Ms;
  const expected = Number(cluster.expected_deliveries ?? cluster.sent);
  return {
    scenario: `${scenario}-shapes`,
    server: 'cluster/embedded',
    target_rate: cluster.target_rate,
    cpu_ratio: ratio,
    cpu_ratio_target: `<= ${TARGETS.cpuRatio}`,
    cpu_ratio_met: ratio !== null && ratio <= TARGETS.cpuRatio,
    // Each round's cluster window against the embedded window just before it.
    ...(clusterRounds.length > 1 && {
      cpu_ratio_by_round: clusterRounds.map((c, i) => quotient(c, embeddedRounds[i])),
    }),
    embedded_cpu_us_per_delivery: embedded.server_cpu_us_per_delivery,
    cluster_cpu_us_per_delivery: cluster.server_cpu_us_per_delivery,
    embedded_msgs_per_s: embedded.msgs_per_s,
    cluster_msgs_per_s: cluster.msgs_per_s,
    embedded_p99_ms: embedded.p99_ms,
    cluster_p99_ms: cluster.p99_ms,
    p99_target_ms: `<= ${p99Target}${scenario === 'direct' ? ` at ${TARGETS.directRate} msgs/s` : ''}`,
    // A p99 over what arrived says nothing of what did not: a loss misses the target.
    p99_met: p99 <= p99Target && Number(cluster.delivered) >= expected,
    cluster_undelivered: Math.max(0, expected - Number(cluster.delivered)),
    cluster_cpu_shares: cluster.cpu_shares,
  };
}

function quotient(a: unknown, b: unknown): number | null {
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && y > 0 ? round(x / y, 2) : null;
}
