import { describe, expect, it } from 'vitest';
import { UserRateLimits } from './user-rate-limits.js';

describe('per-user gRPC rate limits', () => {
  it('allows the burst, then the sustained rate, per user', () => {
    const limits = new UserRateLimits({ perSecond: 10, burst: 3 });
    const at = 1_000;
    expect([1, 2, 3].map(() => limits.take('a', at).ok)).toEqual([true, true, true]);
    expect(limits.take('a', at)).toEqual({ ok: false, retryAfterMs: 100 });
    expect(limits.take('b', at).ok).toBe(true);
    // 100 ms later one token is back, and only one.
    expect(limits.take('a', at + 100).ok).toBe(true);
    expect(limits.take('a', at + 100).ok).toBe(false);
  });
});
