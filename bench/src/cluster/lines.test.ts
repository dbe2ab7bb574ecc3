import { describe, expect, it } from 'vitest';
import { combineRounds, compareShapes, cpuShares, shapeLine } from './lines.js';

const result = {
  scenario: 'direct',
  clients: 200,
  target_rate: 2_000,
  sent: 10_000,
  delivered: 10_000,
  msgs_per_s: 2_000,
  p50_ms: 2,
  p95_ms: 5,
  p99_ms: 9,
  max_ms: 12,
  client_cpu_s: 0.5,
};

describe('the --cluster lines', () => {
  it('sums the CPU of every process tree and keeps the split', () => {
    const line = shapeLine('cluster', {
      result,
      cpuSeconds: 4,
      cpuByProcess: { 'gw-1': 1, 'gw-2': 1, postgres: 1.5, nats: 0.5 },
      rssBeforeBytes: 0,
      rssAfterBytes: 0,
      machineCpuSeconds: 5,
    });
    expect(line).toMatchObject({
      machine_cpu_s: 5,
      other_cpu_s: 0.5,
      scenario: 'direct',
      server: 'parley-cluster',
      shape: 'cluster',
      server_cpu_s: 4,
      server_cpu_us_per_delivery: 400,
      client_cpu_us_per_delivery: 50,
      cpu_s_by_process: { 'gw-1': 1, 'gw-2': 1, postgres: 1.5, nats: 0.5 },
      cpu_shares: 'postgres 38%, gw-1 25%, gw-2 25%, nats 13%',
    });
  });

  it('gives no shares when nothing was used', () => {
    expect(cpuShares({})).toBe('');
    expect(cpuShares({ parley: 0 })).toBe('');
  });

  it('compares the shapes against the targets', () => {
    const embedded = { ...result, server_cpu_us_per_delivery: 100, p99_ms: 4 };
    const cluster = { ...result, server_cpu_us_per_delivery: 250, p99_ms: 30, cpu_shares: 'x' };
    expect(compareShapes('direct', embedded, cluster)).toMatchObject({
      scenario: 'direct-shapes',
      server: 'cluster/embedded',
      cpu_ratio: 2.5,
      cpu_ratio_met: false,
      cluster_p99_ms: 30,
      p99_target_ms: '<= 50 at 2000 msgs/s',
      p99_met: true,
      cluster_undelivered: 0,
      cluster_cpu_shares: 'x',
    });
    const within = compareShapes('direct', embedded, {
      ...cluster,
      server_cpu_us_per_delivery: 150,
    });
    expect(within).toMatchObject({ cpu_ratio: 1.5, cpu_ratio_met: true });
  });

  it('holds a group to its own p99 bound, and a loss misses the target', () => {
    const group = { ...result, scenario: 'group', expected_deliveries: 99_900, delivered: 99_900 };
    const embedded = { ...group, server_cpu_us_per_delivery: 5, p99_ms: 40 };
    const cluster = { ...group, server_cpu_us_per_delivery: 9, p99_ms: 480 };
    expect(compareShapes('group', embedded, cluster)).toMatchObject({
      p99_target_ms: '<= 500',
      p99_met: true,
      cpu_ratio: 1.8,
    });
    const lossy = compareShapes('group', embedded, { ...cluster, delivered: 99_000, p99_ms: 100 });
    expect(lossy).toMatchObject({ p99_met: false, cluster_undelivered: 900 });
  });

  it('has no ratio without an embedded figure', () => {
    const line = compareShapes(
      'direct',
      { ...result },
      { ...result, server_cpu_us_per_delivery: 3 },
    );
    expect(line).toMatchObject({ cpu_ratio: null, cpu_ratio_met: false });
  });

  it("combines a shape's rounds over every window, and compares them round by round", () => {
    const round = (cpu: number, p99: number, rate: number) => ({
      ...result,
      msgs_per_s: rate,
      p99_ms: p99,
      server_cpu_s: cpu,
      server_cpu_us_per_delivery: (cpu / result.delivered) * 1e6,
      cpu_s_by_process: { 'gw-1': cpu / 2, 'gw-2': cpu / 2 },
    });
    const cluster = combineRounds([round(4, 30, 1_990), round(2, 50, 2_000)]);
    expect(cluster).toMatchObject({
      rounds: 2,
      sent: 20_000,
      delivered: 20_000,
      msgs_per_s: 1_990,
      p99_ms: 50,
      server_cpu_s: 6,
      server_cpu_us_per_delivery: 300,
      server_cpu_us_per_delivery_by_round: [400, 200],
      cpu_s_by_process: { 'gw-1': 3, 'gw-2': 3 },
      cpu_shares: 'gw-1 50%, gw-2 50%',
    });
    const embedded = combineRounds([round(1, 5, 2_000), round(2, 6, 2_000)]);
    expect(compareShapes('direct', embedded, cluster)).toMatchObject({
      cpu_ratio: 2,
      cpu_ratio_by_round: [4, 1],
      cluster_p99_ms: 50,
      p99_met: true,
    });
    expect(() => combineRounds([])).toThrow();
  });
});
