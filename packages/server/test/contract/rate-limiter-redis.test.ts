import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectRedis } from '../../src/adapters/presence/redis-connection.js';
import { RedisRateLimiter } from '../../src/adapters/rate-limit/rate-limiter-redis.js';
import { describeRateLimiterContract } from './rate-limiter.contract.js';

// Two clients, as two nodes would have.
let one: Redis;
let two: Redis;
beforeAll(async () => {
  const url = inject('redisUrl');
  [one, two] = await Promise.all([
    connectRedis({ url, name: 'rate-test-1' }),
    connectRedis({ url, name: 'rate-test-2' }),
  ]);
});
afterAll(async () => {
  await Promise.all([one.quit(), two.quit()]);
});

/** Every test gets its own keys in the shared Redis. */
const freshPrefix = () => `test:${randomUUID()}:`;

describeRateLimiterContract('redis', {
  newLimiter: async (clock) =>
    new RedisRateLimiter({ redis: one, clock, keyPrefix: freshPrefix() }),
  async newPeers(clock) {
    const keyPrefix = freshPrefix();
    return [
      new RedisRateLimiter({ redis: one, clock, keyPrefix }),
      new RedisRateLimiter({ redis: two, clock, keyPrefix }),
    ];
  },
});

describe('RedisRateLimiter keys', () => {
  it('expires a counter two windows after its last write, and never writes on a peek', async () => {
    const keyPrefix = freshPrefix();
    const limiter = new RedisRateLimiter({ redis: one, clock: { now: () => 0 }, keyPrefix });
    const key = `${keyPrefix}rate:login:alice`;
    await limiter.peek('login:alice', { limit: 3, windowMs: 10_000 });
    expect(await one.exists(key)).toBe(0);
    await limiter.hit('login:alice', { limit: 3, windowMs: 10_000 });
    const ttl = await one.pttl(key);
    expect(ttl).toBeGreaterThan(19_000);
    expect(ttl).toBeLessThanOrEqual(20_000);
  });
});
