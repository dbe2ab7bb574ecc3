import { describe, expect, it } from 'vitest';
import { withServer } from './report.js';

const result = {
  scenario: 'direct',
  clients: 20,
  sent: 2_000,
  delivered: 2_000,
  msgs_per_s: 1_000,
  p50_ms: 1,
  p95_ms: 2,
  p99_ms: 3,
  max_ms: 4,
};

describe('benchmark report lines', () => {
  it('adds the server CPU per 10k messages and per delivery', () => {
    const line = withServer('parley', {
      result,
      cpuSeconds: 1,
      rssBeforeBytes: 0,
      rssAfterBytes: 100 * 1024 * 1024,
    });
    expect(line).toMatchObject({
      server: 'parley',
      server_cpu_s: 1,
      server_rss_mb: 100,
      server_cpu_s_per_10k: 5,
      server_cpu_us_per_delivery: 500,
    });
  });

  it('adds the RSS per connection for connect', () => {
    const line = withServer('parley', {
      result: { ...result, scenario: 'connect', clients: 1_000 },
      cpuSeconds: 0.5,
      rssBeforeBytes: 100 * 1024 * 1024,
      rssAfterBytes: 100 * 1024 * 1024 + 8 * 1024 * 1000,
    });
    expect(line.rss_per_connection_kib).toBe(8);
  });
});
