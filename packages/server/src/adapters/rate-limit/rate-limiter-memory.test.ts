// The port's behaviour is checked by test/contract/rate-limiter.contract.ts; this covers what
// only the in-process adapter has.
import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './rate-limiter-memory.js';

const rule = { limit: 3, windowMs: 60_000 };

describe('MemoryRateLimiter', () => {
  it('keeps at most maxKeys keys, dropping the least recently counted', async () => {
    const limiter = new MemoryRateLimiter({ now: () => 0 }, { maxKeys: 2 });
    await limiter.hit('a', rule);
    await limiter.hit('b', rule);
    await limiter.hit('a', rule);
    await limiter.hit('c', rule);
    expect((await limiter.peek('b', rule)).count).toBe(0);
    expect((await limiter.peek('a', rule)).count).toBe(2);
  });
});
