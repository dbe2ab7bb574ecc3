import { describe, expect, it } from 'vitest';
import type { Line } from '../report.js';
import { connectRatio, directRatio, ladder, ladderSummary, ratio, sustained } from './ratio.js';

const direct = (rate: number, p99: number, cpu10k: number, extra: Line = {}): Line => ({
  scenario: 'direct',
  target_rate: rate,
  sent: rate * 2,
  delivered: rate * 2,
  failed: 0,
  msgs_per_s: rate - 9,
  p99_ms: p99,
  server_cpu_s_per_10k: cpu10k,
  client_cpu_s_per_10k: 1,
  ...extra,
});

describe('ratios', () => {
  it('divide to two decimals, or give null without a positive divisor', () => {
    expect(ratio(1, 3)).toBe(0.33);
    expect(ratio(4, 2)).toBe(2);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(undefined, 2)).toBeNull();
    expect(ratio(2, null)).toBeNull();
    expect(ratio('x', 2)).toBeNull();
  });

  it('step rates by √2 up to the cap, rounded to hundreds', () => {
    expect(ladder(1_000, 16_000)).toEqual([
      1_000, 1_400, 2_000, 2_800, 4_000, 5_700, 8_000, 11_300, 16_000,
    ]);
    expect(ladder(1_000, 3_000)).toEqual([1_000, 1_400, 2_000, 2_800]);
    expect(ladder(1_000, 999)).toEqual([]);
  });

  it('count a rate as sustained only with everything delivered and p99 within the bound', () => {
    expect(sustained(direct(1_000, 50, 1))).toBe(true);
    expect(sustained(direct(1_000, 50.1, 1))).toBe(false);
    expect(sustained(direct(1_000, 5, 1, { delivered: 1_999 }))).toBe(false);
    expect(sustained(direct(1_000, 5, 1, { failed: 1 }))).toBe(false);
    expect(sustained(direct(1_000, 80, 1), 100)).toBe(true);
  });

  it('compare both servers at one rate: CPU per message both ways round', () => {
    const line = directRatio(direct(2_000, 5, 2), direct(2_000, 60, 8));
    expect(line).toMatchObject({
      scenario: 'peer-ratio',
      kind: 'direct',
      server: 'parley/ejabberd',
      target_rate: 2_000,
      msgs_per_s_ratio: 1,
      parley_sustained: true,
      ejabberd_sustained: false,
      cpu_per_10k_ratio: 0.25,
      msgs_per_cpu_s_ratio: 4,
    });
  });

  it('summarise the ladder: highest sustained rate each, and CPU at the highest common one', () => {
    const parley = [direct(1_000, 5, 4), direct(2_000, 6, 2), direct(4_000, 9, 1.5)];
    const ejabberd = [direct(1_000, 6, 7), direct(2_000, 15, 6), direct(4_000, 950, 5)];
    expect(ladderSummary(parley, ejabberd, 4_000)).toMatchObject({
      kind: 'direct-max-rate',
      p99_bound_ms: 50,
      parley_max_rate: 4_000,
      ejabberd_max_rate: 2_000,
      parley_capped: true,
      ejabberd_capped: false,
      max_rate_ratio: 2,
      msgs_per_s_ratio: ratio(3_991, 1_991),
      common_rate: 2_000,
      cpu_per_10k_ratio_at_common_rate: 0.33,
    });
  });

  it('leave the ratio out when a server sustained no rate at all', () => {
    const line = ladderSummary([direct(1_000, 5, 4)], [direct(1_000, 500, 9)], 1_000);
    expect(line).toMatchObject({ ejabberd_max_rate: 0, max_rate_ratio: null, common_rate: 0 });
    expect(line.cpu_per_10k_ratio_at_common_rate).toBeNull();
  });

  it('compare memory, rate and CPU per connection', () => {
    const parley = { clients: 10_000, rss_per_connection_kib: 6, connects_per_s: 1_200 };
    const ejabberd = { clients: 10_000, rss_per_connection_kib: 24, connects_per_s: 600 };
    expect(
      connectRatio(
        { ...parley, server_cpu_s_per_10k: 10, p99_ms: 100 },
        { ...ejabberd, server_cpu_s_per_10k: 30, p99_ms: 300 },
      ),
    ).toMatchObject({
      kind: 'connect',
      clients: 10_000,
      rss_per_connection_ratio: 0.25,
      connects_per_s_ratio: 2,
      cpu_per_10k_connects_ratio: 0.33,
    });
  });
});
