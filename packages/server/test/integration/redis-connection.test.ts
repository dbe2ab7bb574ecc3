import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisPresence } from '../../src/adapters/presence/presence-redis.js';
import { connectRedis } from '../../src/adapters/presence/redis-connection.js';
import { RedisRateLimiter } from '../../src/adapters/rate-limit/rate-limiter-redis.js';
import { freePort } from '../support/ports.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

// A Redis of this file's own, since it is stopped and restarted under the client.
let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.stop();
});

describe('connectRedis', () => {
  it('fails with an error naming PARLEY_REDIS_URL when Redis cannot be reached', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const attempt = connectRedis({ url, name: 'nobody-home', connectTimeoutMs: 1_000 });
    await expect(attempt).rejects.toThrow(/Cannot connect to Redis redis:\/\/127\.0\.0\.1:\d+/);
    await expect(attempt).rejects.toThrow(/PARLEY_REDIS_URL/);
  });

  it('keeps the password out of the error', async () => {
    const url = `redis://:hunter2@127.0.0.1:${await freePort()}`;
    const error = await connectRedis({ url, name: 'secret', connectTimeoutMs: 500 }).catch(
      (err: unknown) => err,
    );
    expect(String(error)).toContain('PARLEY_REDIS_URL');
    expect(String(error)).not.toContain('hunter2');
  });

  it('fails calls while Redis is away, then reconnects by itself after a restart', async () => {
    const lines: string[] = [];
    const redis = await connectRedis({
      url: server.url,
      name: 'survivor',
      maxBackoffMs: 100,
      log: (line) => lines.push(line),
    });
    const presence = new RedisPresence({ redis, gatewayId: 'g', ttlMs: 60_000, keyPrefix: 'r1:' });
    const limiter = new RedisRateLimiter({
      redis,
      clock: { now: () => Date.now() },
      keyPrefix: 'r1:',
    });
    try {
      expect(await presence.connect('u', 'c1')).toEqual({ first: true });
      await server.stop();
      // Calls fail instead of queueing for ever (the client retries each once), as an outage
      // that callers may retry (UNAVAILABLE), not as an internal error.
      const unavailable = {
        code: 'UNAVAILABLE',
        message: 'Redis does not answer; try again shortly.',
      };
      await expect(presence.ping()).rejects.toMatchObject(unavailable);
      await expect(presence.status(['u'])).rejects.toMatchObject(unavailable);
      await expect(presence.touch()).rejects.toMatchObject(unavailable);
      await expect(
        limiter.reserve('login:u', { limit: 5, windowMs: 60_000 }),
      ).rejects.toMatchObject(unavailable);
      await server.restart();
      await vi.waitFor(() => presence.ping(), { timeout: 10_000, interval: 50 });
      // The restarted Redis is empty, and its script cache too: scripts load again.
      expect(await presence.connect('u', 'c2')).toEqual({ first: true });
      expect(lines.filter((l) => l.includes('is unreachable'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('answers again'))).toHaveLength(1);
      expect(lines[0]).toContain('(survivor)');
    } finally {
      await redis.quit();
    }
  });
});
