import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './rate-limiter-memory.js';

const rule = { limit: 3, windowMs: 60_000 };

function limiterAt(start: number, maxKeys?: number) {
  const clock = { t: start, now: () => clock.t };
  return { clock, limiter: new MemoryRateLimiter(clock, maxKeys === undefined ? {} : { maxKeys }) };
}

describe('MemoryRateLimiter', () => {
  it('allows the limit, then refuses with a retry time', async () => {
    const { limiter } = limiterAt(600_000);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.hit('k', rule));
    expect(results.map((r) => r.limited)).toEqual([false, false, false, true]);
    expect(results[3]?.retryAfterMs).toBe(60_000);
    expect((await limiter.peek('k', rule)).limited).toBe(true);
    expect((await limiter.peek('other', rule)).limited).toBe(false);
  });

  it('peeks without counting', async () => {
    const { limiter } = limiterAt(0);
    for (let i = 0; i < 10; i++) await limiter.peek('k', rule);
    expect((await limiter.hit('k', rule)).count).toBe(1);
  });

  it('weighs the previous window by its overlap, then forgets it', async () => {
    const { clock, limiter } = limiterAt(0);
    for (let i = 0; i < 3; i++) await limiter.hit('k', rule);
    clock.t = 60_000 + 30_000; // half of the previous window still overlaps
    expect((await limiter.peek('k', rule)).count).toBe(1);
    clock.t = 60_000 + 60_000 + 1; // two windows on: nothing left
    expect((await limiter.peek('k', rule)).count).toBe(0);
  });

  it('forgets a key on reset', async () => {
    const { limiter } = limiterAt(0);
    for (let i = 0; i < 3; i++) await limiter.hit('k', rule);
    await limiter.reset('k');
    expect((await limiter.peek('k', rule)).limited).toBe(false);
  });

  it('keeps at most maxKeys keys, dropping the least recently counted', async () => {
    const { limiter } = limiterAt(0, 2);
    await limiter.hit('a', rule);
    await limiter.hit('b', rule);
    await limiter.hit('a', rule);
    await limiter.hit('c', rule);
    expect((await limiter.peek('b', rule)).count).toBe(0);
    expect((await limiter.peek('a', rule)).count).toBe(2);
  });
});
