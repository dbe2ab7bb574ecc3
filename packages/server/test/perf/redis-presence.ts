/**
 * A rough measure of the Redis adapters on a local redis-server (not a test):
 *   npx vite-node packages/server/test/perf/redis-presence.ts
 */
import { performance } from 'node:perf_hooks';
import { RedisPresence } from '../../src/adapters/presence/presence-redis.js';
import { connectRedis } from '../../src/adapters/presence/redis-connection.js';
import { RedisRateLimiter } from '../../src/adapters/rate-limit/rate-limiter-redis.js';
import { startRedis } from '../support/redis-server.js';

const server = await startRedis();
const redis = await connectRedis({ url: server.url, name: 'perf' });

/** Runs `total` calls of `op`, `inFlight` at a time; returns calls per second. */
async function rate(total: number, inFlight: number, op: (i: number) => Promise<unknown>) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) await op(next++);
    }),
  );
  return Math.round(total / ((performance.now() - started) / 1000));
}

function percentile(sorted: number[], p: number): string {
  return (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0).toFixed(2);
}

try {
  const gateways = ['n0', 'n1', 'n2'].map(
    (id) => new RedisPresence({ redis, gatewayId: id, ttlMs: 60_000, keyPrefix: 'perf:' }),
  );
  await Promise.all(gateways.map((g) => g.touch()));
  const g0 = gateways[0] as RedisPresence;

  for (const inFlight of [1, 64]) {
    const pairs = await rate(20_000, inFlight, async (i) => {
      await g0.connect(`cd-${i}`, `c-${i}`);
      await g0.disconnect(`cd-${i}`, `c-${i}`, i);
    });
    console.log(
      `connect+disconnect, ${inFlight} in flight: ${pairs} pairs/s (${pairs * 2} calls/s)`,
    );
  }

  // 1,000 users spread over three gateways, a fifth of them on two.
  const users = Array.from({ length: 1_000 }, (_, i) => `gw-user-${i}`);
  await Promise.all(
    users.map(async (u, i) => {
      await gateways[i % 3]?.connect(u, `${u}-a`);
      if (i % 5 === 0) await gateways[(i + 1) % 3]?.connect(u, `${u}-b`);
    }),
  );
  for (const [label, call] of [
    ['gatewaysOf', () => g0.gatewaysOf(users)],
    ['status', () => g0.status(users)],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      await call();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${label}(1,000 users): p50 ${percentile(times, 0.5)} ms, p99 ${percentile(times, 0.99)} ms`,
    );
  }

  // A dead gateway holding 10,000 users, swept by one node.
  const dead = new RedisPresence({ redis, gatewayId: 'dead', ttlMs: 50, keyPrefix: 'perf:' });
  await rate(10_000, 64, (i) => dead.connect(`dead-${i}`, `d-${i}`));
  await new Promise((r) => setTimeout(r, 100));
  const t = performance.now();
  const swept = await g0.sweep(Date.now());
  console.log(
    `sweep of a dead gateway: ${swept.length} users in ${(performance.now() - t).toFixed(0)} ms`,
  );

  const limiter = new RedisRateLimiter({
    redis,
    clock: { now: () => Date.now() },
    keyPrefix: 'perf:',
  });
  const rule = { limit: 1_000_000, windowMs: 60_000 };
  const reserves = await rate(20_000, 64, (i) => limiter.reserve(`k${i % 100}`, rule));
  console.log(`rate limiter reserve, 64 in flight: ${reserves} calls/s`);

  // How long a call takes to fail while Redis is down (default backoff).
  await server.stop();
  const down = performance.now();
  await g0.ping().catch(() => {});
  console.log(`a call while Redis is down fails after ${(performance.now() - down).toFixed(0)} ms`);
} finally {
  redis.disconnect();
  await server.stop();
}
