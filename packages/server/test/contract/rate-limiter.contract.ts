/**
 * The RateLimiter contract, run against every adapter (rate-limiter-memory.test.ts,
 * rate-limiter-redis.test.ts) with a fake clock. The shared cases run only for adapters whose
 * subject can put two limiters, as two processes would hold them, on one store (`newPeers`).
 */
import { describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../src/ports/rate-limiter.js';
import type { Clock } from '../../src/ports/system.js';

export interface RateLimiterSubject {
  /** A limiter on a fresh, empty store, reading time from `clock`. */
  newLimiter(clock: Clock): Promise<RateLimiter>;
  /** Two limiters on one fresh store, each with its own connection (adapters shared by nodes). */
  newPeers?(clock: Clock): Promise<readonly [RateLimiter, RateLimiter]>;
}

const rule = { limit: 3, windowMs: 60_000 };

function fakeClock(start: number) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

export function describeRateLimiterContract(name: string, subject: RateLimiterSubject) {
  const limiterAt = async (start: number) => {
    const clock = fakeClock(start);
    return { clock, limiter: await subject.newLimiter(clock) };
  };

  describe(`RateLimiter contract: ${name}`, () => {
    it('allows the limit, then refuses with a retry time', async () => {
      const { limiter } = await limiterAt(600_000);
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limiter.hit('k', rule));
      expect(results.map((r) => r.limited)).toEqual([false, false, false, true]);
      expect(results.map((r) => r.count)).toEqual([1, 2, 3, 4]);
      expect(results[0]?.retryAfterMs).toBe(0);
      expect(results[3]?.retryAfterMs).toBe(60_000);
      expect((await limiter.peek('k', rule)).limited).toBe(true);
      expect((await limiter.peek('other', rule)).limited).toBe(false);
    });

    it('peeks without counting', async () => {
      const { limiter } = await limiterAt(0);
      for (let i = 0; i < 10; i++) await limiter.peek('k', rule);
      expect((await limiter.hit('k', rule)).count).toBe(1);
    });

    it('counts the retry time from the end of the current window', async () => {
      const { clock, limiter } = await limiterAt(0);
      clock.t = 45_000;
      for (let i = 0; i < 3; i++) await limiter.hit('k', rule);
      expect(await limiter.peek('k', rule)).toEqual({
        count: 3,
        limited: true,
        retryAfterMs: 15_000,
      });
    });

    it('weighs the previous window by its overlap, then forgets it', async () => {
      const { clock, limiter } = await limiterAt(0);
      for (let i = 0; i < 3; i++) await limiter.hit('k', rule);
      clock.t = 60_000 + 30_000; // half of the previous window still overlaps
      expect((await limiter.peek('k', rule)).count).toBe(1);
      clock.t = 60_000 + 60_000 + 1; // two windows on: nothing left
      expect((await limiter.peek('k', rule)).count).toBe(0);
    });

    it('smooths a burst at a window edge instead of allowing it twice', async () => {
      const { clock, limiter } = await limiterAt(0);
      clock.t = 59_000;
      for (let i = 0; i < 3; i++) await limiter.hit('k', rule);
      clock.t = 60_000; // the whole previous window still overlaps
      expect((await limiter.hit('k', rule)).limited).toBe(true);
    });

    it('forgets a key on reset', async () => {
      const { limiter } = await limiterAt(0);
      for (let i = 0; i < 3; i++) await limiter.hit('k', rule);
      await limiter.reset('k');
      expect((await limiter.peek('k', rule)).limited).toBe(false);
      expect((await limiter.peek('k', rule)).count).toBe(0);
      await limiter.reset('never-counted');
    });

    it('keeps keys apart', async () => {
      const { limiter } = await limiterAt(0);
      for (let i = 0; i < 3; i++) await limiter.hit('a', rule);
      expect((await limiter.hit('b', rule)).count).toBe(1);
      expect((await limiter.peek('a', rule)).count).toBe(3);
    });

    it('reserves atomically: of many concurrent reservations, only the limit pass', async () => {
      const { limiter } = await limiterAt(0);
      const reservations = await Promise.all(
        Array.from({ length: 50 }, () => limiter.reserve('k', rule)),
      );
      expect(reservations.filter((r) => !r.limited)).toHaveLength(3);
      // Refused reservations counted nothing.
      expect((await limiter.peek('k', rule)).count).toBe(3);
      expect(reservations.at(-1)?.retryAfterMs).toBeGreaterThan(0);
    });

    it('takes a released reservation back, once', async () => {
      const { limiter } = await limiterAt(0);
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
      const { clock, limiter } = await limiterAt(0);
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

    it('releases nothing once the key was reset', async () => {
      const { limiter } = await limiterAt(0);
      const reservation = await limiter.reserve('k', rule);
      await limiter.reset('k');
      await reservation.release();
      expect((await limiter.peek('k', rule)).count).toBe(0);
      expect((await limiter.hit('k', rule)).count).toBe(1);
    });
  });

  if (subject.newPeers !== undefined) describeSharedCases(name, subject.newPeers);
}

function describeSharedCases(
  name: string,
  newPeers: (clock: Clock) => Promise<readonly [RateLimiter, RateLimiter]>,
) {
  describe(`RateLimiter contract (shared by nodes): ${name}`, () => {
    it('lets exactly the limit through of concurrent reservations from two nodes', async () => {
      const [one, two] = await newPeers(fakeClock(0));
      const wide = { limit: 25, windowMs: 60_000 };
      const reservations = await Promise.all(
        Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? one : two).reserve('k', wide)),
      );
      expect(reservations.filter((r) => !r.limited)).toHaveLength(25);
      expect((await one.peek('k', wide)).count).toBe(25);
      expect((await two.peek('k', wide)).limited).toBe(true);
    });

    it('shares hits, releases and resets between nodes', async () => {
      const [one, two] = await newPeers(fakeClock(0));
      await one.hit('k', rule);
      const reservation = await two.reserve('k', rule);
      expect(reservation.count).toBe(2);
      expect((await one.peek('k', rule)).count).toBe(2);
      await reservation.release();
      expect((await one.peek('k', rule)).count).toBe(1);
      await one.reset('k');
      expect((await two.peek('k', rule)).count).toBe(0);
    });
  });
}
