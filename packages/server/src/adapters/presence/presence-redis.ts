import type { Redis } from 'ioredis';
import type { Presence, PresenceStatus } from '../../ports/presence.js';
import {
  CONNECT,
  CONNECTIONS,
  DISCONNECT,
  GATEWAYS_OF,
  STATUS,
  SWEEP,
} from './presence-redis-scripts.js';
import { rethrowRedisError } from './redis-connection.js';

export interface RedisPresenceOptions {
  /** A connected client (see connectRedis); shared with other adapters unless `ownsClient`. */
  readonly redis: Redis;
  /** This node's id, unique in the cluster; reported by `gatewaysOf`. */
  readonly gatewayId: string;
  /** How long the gateway counts as live after a `touch` (touch every ttlMs / 3). */
  readonly ttlMs: number;
  /** Prefix of every key (default `parley:`); keys live under `<prefix>presence:`. */
  readonly keyPrefix?: string;
  /** How long an offline user's last-seen time is kept (default 30 days). */
  readonly lastSeenTtlMs?: number;
  /** Users one sweep script claims at a time, so that Redis is never blocked long (default 500). */
  readonly sweepBatch?: number;
  /** `close` quits the client too (default false: the client is shared). */
  readonly ownsClient?: boolean;
}

type Script = (...args: (string | number)[]) => Promise<unknown>;

interface PresenceScripts {
  parleyPresenceConnect: Script;
  parleyPresenceDisconnect: Script;
  parleyPresenceStatus: Script;
  parleyPresenceConnections: Script;
  parleyPresenceGatewaysOf: Script;
  parleyPresenceSweep: Script;
}

const SCRIPTS: Record<keyof PresenceScripts, string> = {
  parleyPresenceConnect: CONNECT,
  parleyPresenceDisconnect: DISCONNECT,
  parleyPresenceStatus: STATUS,
  parleyPresenceConnections: CONNECTIONS,
  parleyPresenceGatewaysOf: GATEWAYS_OF,
  parleyPresenceSweep: SWEEP,
};

const THIRTY_DAYS_MS = 30 * 24 * 3_600_000;

/**
 * Presence for a cluster, in Redis (key layout in presence-redis-scripts.ts). Every change and
 * every read is one Lua script, so each call is atomic and one round trip, whatever the number
 * of users it names.
 */
export class RedisPresence implements Presence {
  readonly #redis: Redis;
  readonly #scripts: PresenceScripts;
  readonly #gatewayId: string;
  readonly #ttlMs: number;
  readonly #prefix: string;
  readonly #lastSeenTtlMs: number;
  readonly #sweepBatch: number;
  readonly #ownsClient: boolean;

  constructor(options: RedisPresenceOptions) {
    if (!(options.ttlMs > 0)) throw new Error('RedisPresence needs a positive ttlMs');
    if (options.gatewayId === '') throw new Error('RedisPresence needs a gatewayId');
    this.#redis = options.redis;
    this.#gatewayId = options.gatewayId;
    this.#ttlMs = Math.ceil(options.ttlMs);
    this.#prefix = `${options.keyPrefix ?? 'parley:'}presence:`;
    this.#lastSeenTtlMs = options.lastSeenTtlMs ?? THIRTY_DAYS_MS;
    this.#sweepBatch = options.sweepBatch ?? 500;
    this.#ownsClient = options.ownsClient ?? false;
    // Defining a command on a shared client is idempotent: same name, same script.
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      this.#redis.defineCommand(name, { lua, numberOfKeys: 0 });
    }
    // Every script call reports a Redis that does not answer as UNAVAILABLE.
    const scripts = this.#redis as unknown as PresenceScripts;
    const guarded = (name: keyof PresenceScripts) => [
      name,
      (...args: (string | number)[]) => scripts[name](...args).catch(rethrowRedisError),
    ];
    this.#scripts = Object.fromEntries(
      (Object.keys(SCRIPTS) as (keyof PresenceScripts)[]).map(guarded),
    ) as PresenceScripts;
  }

  async connect(userId: string, connectionId: string): Promise<{ first: boolean }> {
    const first = await this.#scripts.parleyPresenceConnect(
      this.#prefix,
      userId,
      connectionId,
      this.#gatewayId,
      this.#ttlMs,
    );
    return { first: first === 1 };
  }

  async disconnect(userId: string, connectionId: string, at: number): Promise<{ last: boolean }> {
    const last = await this.#scripts.parleyPresenceDisconnect(
      this.#prefix,
      userId,
      connectionId,
      Math.trunc(at),
      this.#lastSeenTtlMs,
    );
    return { last: last === 1 };
  }

  async status(userIds: readonly string[]): Promise<Map<string, PresenceStatus>> {
    const result = new Map<string, PresenceStatus>();
    if (userIds.length === 0) return result;
    const rows = asArray(await this.#scripts.parleyPresenceStatus(this.#prefix, ...userIds));
    userIds.forEach((userId, i) => {
      const [online, seen] = asArray(rows[i]);
      const lastSeen = Number(seen ?? Number.NaN);
      if (online === 1) result.set(userId, { online: true });
      else if (Number.isFinite(lastSeen)) result.set(userId, { online: false, lastSeen });
      else result.set(userId, { online: false });
    });
    return result;
  }

  async connections(userId: string): Promise<string[]> {
    const ids = await this.#scripts.parleyPresenceConnections(this.#prefix, userId);
    return asArray(ids).map(String);
  }

  async gatewaysOf(userIds: readonly string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (userIds.length === 0) return result;
    const rows = asArray(await this.#scripts.parleyPresenceGatewaysOf(this.#prefix, ...userIds));
    userIds.forEach((userId, i) => {
      const gateways = asArray(rows[i]).map(String);
      if (gateways.length > 0) result.set(userId, gateways);
    });
    return result;
  }

  async touch(): Promise<{ lost: boolean }> {
    const results = await this.#redis
      .multi()
      .set(`${this.#prefix}gw-live:${this.#gatewayId}`, '1', 'PX', this.#ttlMs, 'GET')
      .getdel(`${this.#prefix}gw-relived:${this.#gatewayId}`)
      .sadd(`${this.#prefix}gateways`, this.#gatewayId)
      .exec()
      .catch(rethrowRedisError);
    const failed = results?.find(([err]) => err !== null);
    if (failed?.[0]) throw failed[0];
    // Not live before, or made live again by a connect since: connections may be missing.
    return { lost: results?.[0]?.[1] === null || results?.[1]?.[1] !== null };
  }

  async sweep(at: number): Promise<string[]> {
    const reported: string[] = [];
    // Each script run claims at most sweepBatch users; loop until no dead gateway has any left.
    for (;;) {
      const [more, users] = asArray(
        await this.#scripts.parleyPresenceSweep(
          this.#prefix,
          Math.trunc(at),
          this.#lastSeenTtlMs,
          this.#sweepBatch,
        ),
      );
      for (const user of asArray(users)) reported.push(String(user));
      if (more !== 1) return reported;
    }
  }

  async ping(): Promise<void> {
    await this.#redis.ping().catch(rethrowRedisError);
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#redis.quit();
  }
}

/** A script's array reply; anything else (it should not happen) reads as empty. */
function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
