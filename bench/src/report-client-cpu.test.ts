import { describe, expect, it } from 'vitest';
import { withServer } from './report.js';

describe('the client side in report lines', () => {
  it('adds the load process CPU per 10k messages when the worker measured it', () => {
    const result = {
      scenario: 'direct',
      clients: 20,
      sent: 4_000,
      delivered: 4_000,
      msgs_per_s: 2_000,
      p50_ms: 1,
      p95_ms: 2,
      p99_ms: 3,
      max_ms: 4,
    };
    const measured = { cpuSeconds: 1, rssBeforeBytes: 0, rssAfterBytes: 0 };
    const line = withServer('ejabberd', { ...measured, result: { ...result, client_cpu_s: 0.8 } });
    expect(line).toMatchObject({ client_cpu_s: 0.8, client_cpu_s_per_10k: 2 });
    expect(withServer('parley', { ...measured, result }).client_cpu_s_per_10k).toBeUndefined();
  });
});
