import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { RedisPresence } from '../../src/adapters/presence/presence-redis.js';
import { connectRedis } from '../../src/adapters/presence/redis-connection.js';
import { describePresenceContract } from './presence.contract.js';

// Two clients, as two gateway processes would have: cluster gateways alternate between them.
const clients: Redis[] = [];
beforeAll(async () => {
  const url = inject('redisUrl');
  for (const name of ['presence-test-1', 'presence-test-2']) {
    clients.push(await connectRedis({ url, name }));
  }
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

/** Every test gets its own keys in the shared Redis. */
const freshPrefix = () => `test:${randomUUID()}:`;

describePresenceContract('redis', {
  async newPresence(gatewayId) {
    const redis = clients[0] as Redis;
    const presence = new RedisPresence({
      redis,
      gatewayId,
      ttlMs: 60_000,
      keyPrefix: freshPrefix(),
    });
    await presence.touch();
    return presence;
  },
  async newCluster() {
    const keyPrefix = freshPrefix();
    let made = 0;
    return {
      async gateway(gatewayId, ttlMs) {
        const redis = clients[made++ % clients.length] as Redis;
        // A small sweep batch, so that the contract's sweeps span several script runs.
        const presence = new RedisPresence({ redis, gatewayId, ttlMs, keyPrefix, sweepBatch: 4 });
        await presence.touch();
        return presence;
      },
    };
  },
});

describe('RedisPresence keys', () => {
  it('keeps last seen with a TTL and leaves nothing of a swept gateway', async () => {
    const redis = clients[0] as Redis;
    const keyPrefix = freshPrefix();
    const dying = new RedisPresence({ redis, gatewayId: 'd', ttlMs: 100, keyPrefix });
    const live = new RedisPresence({ redis, gatewayId: 'l', ttlMs: 60_000, keyPrefix });
    await live.touch();
    await dying.connect('u1', 'c1');
    await live.connect('u2', 'c2');
    await live.disconnect('u2', 'c2', 5);
    const seenTtl = await redis.pttl(`${keyPrefix}presence:seen:u2`);
    expect(seenTtl).toBeGreaterThan(29 * 24 * 3_600_000);
    expect(seenTtl).toBeLessThanOrEqual(30 * 24 * 3_600_000);

    await new Promise((r) => setTimeout(r, 150));
    expect(await live.sweep(7)).toEqual(['u1']);
    const keys = (await redis.keys(`${keyPrefix}*`)).sort();
    expect(keys).toEqual([
      `${keyPrefix}presence:gateways`,
      `${keyPrefix}presence:gw-live:l`,
      `${keyPrefix}presence:seen:u1`,
      `${keyPrefix}presence:seen:u2`,
    ]);
    expect(await redis.smembers(`${keyPrefix}presence:gateways`)).toEqual(['l']);
  });

  it('does not quit a shared client on close, and quits an owned one', async () => {
    const shared = clients[0] as Redis;
    await new RedisPresence({ redis: shared, gatewayId: 'g', ttlMs: 1_000 }).close();
    expect(await shared.ping()).toBe('PONG');
    const owned = await connectRedis({ url: inject('redisUrl'), name: 'presence-owned' });
    await new RedisPresence({
      redis: owned,
      gatewayId: 'g',
      ttlMs: 1_000,
      ownsClient: true,
    }).close();
    await vi.waitFor(() => expect(owned.status).toBe('end'));
  });
});
