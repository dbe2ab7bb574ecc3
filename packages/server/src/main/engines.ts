/**
 * The engines tier of the composition root: store, bus, presence, rate limiter, task queue and
 * membership, in-process by default, the shared ones when configured (docs/operations.md).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { MemoryBus } from '../adapters/bus/bus-memory.js';
import { NatsBus } from '../adapters/bus/bus-nats.js';
import { connectNats } from '../adapters/bus/nats-connection.js';
import { MemoryTaskQueue } from '../adapters/task-queue/task-queue-memory.js';
import { JetStreamTaskQueue } from '../adapters/task-queue/task-queue-nats.js';
import { MemoryPresence } from '../adapters/presence/presence-memory.js';
import { RedisPresence } from '../adapters/presence/presence-redis.js';
import { EtcdMembership } from '../adapters/registry/membership-etcd.js';
import { MemoryMembership } from '../adapters/registry/membership-memory.js';
import { connectRedis } from '../adapters/presence/redis-connection.js';
import { MemoryRateLimiter } from '../adapters/rate-limit/rate-limiter-memory.js';
import { RedisRateLimiter } from '../adapters/rate-limit/rate-limiter-redis.js';
import { openMysqlStore } from '../adapters/store/mysql.js';
import { openPostgresStore } from '../adapters/store/postgres.js';
import { openSqliteStore } from '../adapters/store/sqlite.js';
import type { EngineProbe } from '../app/ops/health-service.js';
import type { Config } from '../config/schema.js';
import type { Bus, BusLink } from '../ports/bus.js';
import type { Membership } from '../ports/membership.js';
import type { Presence } from '../ports/presence.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { Store } from '../ports/store.js';
import type { TaskQueue } from '../ports/task-queue.js';
import type { Clock } from '../ports/system.js';
import type { Lifecycle } from './lifecycle.js';
import type { NodePlan } from './roles.js';

export interface Engines {
  readonly store: Store;
  readonly bus: Bus;
  /** The bus's network link, when it has one (NATS): a gateway watches it. */
  readonly busLink?: BusLink;
  /** Durable background work for the workers (`im.task` on JetStream). */
  readonly tasks: TaskQueue;
  readonly presence: Presence;
  readonly limiter: RateLimiter;
  /** The cluster's live nodes (etcd), or this node alone. */
  readonly membership: Membership;
  /** The shared engines /ready and /health probe (empty on the embedded shape). */
  readonly probes: readonly EngineProbe[];
}

export function openStore(config: Config, logger?: Logger): Store {
  const url = config.database_url;
  if (url === undefined) {
    return openSqliteStore(config.data_dir, {
      onBridgeDataMoved: (moved) =>
        logger?.info(moved, 'bridge accounts and items moved from parley.db to bridges.db'),
    });
  }
  const pool = { url, poolSize: config.database_pool_size };
  return /^(mysql|mariadb):\/\//.test(url)
    ? openMysqlStore({
        ...pool,
        onIdleError: (err) => logger?.warn({ err }, 'an idle MySQL connection failed'),
      })
    : openPostgresStore({
        ...pool,
        onIdleError: (err) => logger?.warn({ err }, 'a PostgreSQL connection failed'),
        onAppendFallback: (reason) =>
          logger?.debug({ reason }, 'a message batch was written with a key lookup first'),
      });
}

/** Opens the store (migrated) and the other engines, each a lifecycle part. */
export async function openEngines(
  config: Config,
  plan: NodePlan,
  lifecycle: Lifecycle,
  deps: { logger: Logger; clock: Clock },
): Promise<Engines> {
  const { logger } = deps;
  const store = openStore(config, logger);
  lifecycle.add({ name: 'store', stop: () => store.close() });
  const { applied } = await store.migrate();
  if (applied.length > 0) logger.info({ applied }, 'database migrated');

  const probes: EngineProbe[] = [];
  const { bus, busLink, tasks } = await openBusAndTasks(config, plan, lifecycle, logger, probes);
  const { presence, limiter } = await openPresenceAndLimits(config, plan, lifecycle, deps, probes);
  const membership =
    config.etcd_endpoints === undefined
      ? new MemoryMembership()
      : new EtcdMembership({
          endpoints: config.etcd_endpoints.split(',').map((e) => e.trim()),
          ttlSeconds: config.membership_ttl,
          log: logger,
        });
  lifecycle.add({ name: 'membership', stop: () => membership.close() });
  if (plan.clustered) probes.push({ name: 'etcd', ping: () => membership.ping() });
  return { store, bus, busLink, tasks, presence, limiter, membership, probes };
}

/** The bus and the task queue: on NATS (JetStream) when configured, else in-process. */
async function openBusAndTasks(
  config: Config,
  plan: NodePlan,
  lifecycle: Lifecycle,
  logger: Logger,
  probes: EngineProbe[],
): Promise<{ bus: Bus; busLink?: BusLink; tasks: TaskQueue }> {
  const onHandlerError = (err: unknown, topic: string) =>
    logger.error({ err, topic }, 'bus handler failed');
  if (config.nats_url === undefined) {
    const bus = new MemoryBus({ onHandlerError });
    const tasks = new MemoryTaskQueue({
      onError: (err: unknown) => logger.warn({ err }, 'background task failed'),
    });
    lifecycle.add({ name: 'bus', stop: () => bus.close() });
    lifecycle.add({ name: 'task queue', stop: () => tasks.close() });
    return { bus, tasks };
  }
  let lastState = 'connected';
  const link = await connectNats({
    url: config.nats_url,
    name: `parley-${plan.nodeId}`,
    // Once per change of state, not per status event (the client reports pings too).
    onStatus: (state, status) => {
      if (state === lastState) return;
      lastState = state;
      if (state !== 'connected') logger.warn({ state, status: String(status.type) }, 'NATS link');
      else logger.info('NATS link is up again');
    },
  });
  lifecycle.add({ name: 'NATS', stop: () => link.close() });
  const bus = new NatsBus(link, {
    onHandlerError,
    onMalformed: (reason, subject) => logger.warn({ reason, subject }, 'dropped a bus message'),
    onDropped: (reason, topic) => logger.debug({ reason, topic }, 'bus message not sent'),
  });
  const tasks = new JetStreamTaskQueue(link, {
    onError: (err: unknown) => logger.warn({ err }, 'task queue'),
  });
  lifecycle.add({ name: 'bus', stop: () => bus.close() });
  lifecycle.add({ name: 'task queue', stop: () => tasks.close() });
  probes.push({ name: 'nats', ping: () => link.ping() });
  return { bus, busLink: bus, tasks };
}

/** Presence and the rate limiter: on Redis when configured, else in-process. */
async function openPresenceAndLimits(
  config: Config,
  plan: NodePlan,
  lifecycle: Lifecycle,
  deps: { logger: Logger; clock: Clock },
  probes: EngineProbe[],
): Promise<{ presence: Presence; limiter: RateLimiter }> {
  if (config.redis_url === undefined) {
    // One limiter for every per-user and per-address rule (their keys are namespaced).
    return {
      presence: new MemoryPresence({ gatewayId: plan.nodeId }),
      limiter: new MemoryRateLimiter(deps.clock),
    };
  }
  const redis = await connectRedis({
    url: config.redis_url,
    name: `parley-${plan.nodeId}`,
    log: (line) => deps.logger.warn(line),
  });
  lifecycle.add({
    name: 'Redis',
    // QUIT waits for Redis; one that is away gets a moment, then the socket is dropped.
    stop: async () => {
      await Promise.race([redis.quit().catch(() => {}), delay(1_000)]);
      redis.disconnect();
    },
  });
  const presence = new RedisPresence({
    redis,
    gatewayId: plan.nodeId,
    ttlMs: config.presence_ttl * 1000,
  });
  probes.push({ name: 'redis', ping: () => presence.ping() });
  return { presence, limiter: new RedisRateLimiter({ redis, clock: deps.clock }) };
}
