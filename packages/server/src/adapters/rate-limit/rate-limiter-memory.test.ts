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

  it('reserves atomically: of many concurrent reservations, only the limit pass', async () => {
    const { limiter } = limiterAt(0);
    const reservations = await Promise.all(
      Array.from({ length: 50 }, () => limiter.reserve('k', rule)),
    );
    expect(reservations.filter((r) => !r.limited)).toHaveLength(3);
    // Refused reservations counted nothing.
    expect((await limiter.peek('k', rule)).count).toBe(3);
    expect(reservations.at(-1)?.retryAfterMs).toBeGreaterThan(0);
  });

  it('takes a released reservation back, once', async () => {
    const { limiter } = limiterAt(0);
    const first = await limiter.reserve('k', rule);
    await limiter.reserve('k', rule);
    await first.release();
    await first.release();
    expect((await limiter.peek('k', rule)).count).toBe(1);
    const refused = await Promise.all([1, 2, 3].map(() => limiter.reserve('k', rule)));
    expect(refused.map((r) => r.limited)).toEqual([false, false, true]);
    await refused[2]?.release();
    expect((await limiter.peek('k', rule)).count).toBe(3);
  });

  it('releases from the window the hit was counted in', async () => {
    const { clock, limiter } = limiterAt(0);
    const early = await limiter.reserve('k', rule);
    await limiter.reserve('k', rule);
    clock.t = 60_000; // the next window: both hits are now the previous window's
    await early.release();
    expect((await limiter.peek('k', rule)).count).toBe(1);
    const late = await limiter.reserve('k', rule);
    clock.t = 3 * 60_000; // long gone: releasing touches nothing that counts now
    await limiter.reserve('k', rule);
    await late.release();
    expect((await limiter.peek('k', rule)).count).toBe(1);
  });
});
