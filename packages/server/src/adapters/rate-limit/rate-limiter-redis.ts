import type { Redis } from 'ioredis';
import type { RateLimiter, RateRule, RateState, Reservation } from '../../ports/rate-limiter.js';
import type { Clock } from '../../ports/system.js';
import { rethrowRedisError } from '../presence/redis-connection.js';

export interface RedisRateLimiterOptions {
  /** A connected client (see connectRedis), shared with other adapters. */
  readonly redis: Redis;
  /** Windows follow this clock, not Redis's, so that every node agrees with the fake one in tests. */
  readonly clock: Clock;
  /** Prefix of every key (default `parley:`); counters live under `<prefix>rate:`. */
  readonly keyPrefix?: string;
}

/**
 * The sliding-window counter of rate-limiter-memory.ts, as one Lua script: a hash per key with
 * the current window's start (`ws`), its count (`cur`) and the previous window's (`prev`).
 * Reads never write. Every write sets a TTL of two windows: after that the counter would weigh
 * nothing anyway, so idle keys cost no memory.
 *
 * KEYS[1] counter; ARGV: op, now, limit, windowMs, countedIn (release only)
 * → {count, limited 0|1, retryAfterMs, windowStart}
 */
const SLIDING_WINDOW = `
local key, op = KEYS[1], ARGV[1]
local now, limit, w = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ws = now - (now % w)
local stored = redis.call('HMGET', key, 'ws', 'cur', 'prev')
local cws, cur, prev = ws, 0, 0
if stored[1] then
  cws, cur, prev = tonumber(stored[1]), tonumber(stored[2]) or 0, tonumber(stored[3]) or 0
end
if cws ~= ws then
  if cws == ws - w then prev = cur else prev = 0 end
  cur = 0
end
local function weighted()
  return math.floor(prev * (1 - (now - ws) / w)) + cur
end
local function retry_after()
  if weighted() < limit then return 0 end
  return math.max(1, ws + w - now)
end
local function save()
  redis.call('HSET', key, 'ws', string.format('%.0f', ws), 'cur', cur, 'prev', prev)
  redis.call('PEXPIRE', key, 2 * w)
end
if op == 'hit' then
  cur = cur + 1
  save()
  local count = weighted()
  return {count, count > limit and 1 or 0, retry_after(), ws}
elseif op == 'peek' then
  local count = weighted()
  return {count, count >= limit and 1 or 0, retry_after(), ws}
elseif op == 'reserve' then
  if weighted() >= limit then return {weighted(), 1, retry_after(), ws} end
  cur = cur + 1
  save()
  return {weighted(), 0, retry_after(), ws}
elseif op == 'release' then
  if not stored[1] then return {0, 0, 0, ws} end
  local counted_in = tonumber(ARGV[5])
  if ws == counted_in then
    cur = math.max(0, cur - 1)
  elseif ws == counted_in + w then
    prev = math.max(0, prev - 1)
  else
    return {0, 0, 0, ws}
  end
  save()
  return {0, 0, 0, ws}
end
return redis.error_reply('unknown rate-limit operation ' .. tostring(op))
`;

type Op = 'hit' | 'peek' | 'reserve' | 'release';
type Script = (key: string, op: Op, ...args: number[]) => Promise<unknown>;

/**
 * The RateLimiter shared by every node through Redis. Each call is one atomic script, so
 * `reserve` holds across processes: of concurrent reservations, at most the limit pass.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #run: Script;
  readonly #clock: Clock;
  readonly #prefix: string;

  constructor(options: RedisRateLimiterOptions) {
    this.#redis = options.redis;
    this.#clock = options.clock;
    this.#prefix = `${options.keyPrefix ?? 'parley:'}rate:`;
    // Defining a command on a shared client is idempotent: same name, same script.
    options.redis.defineCommand('parleyRateLimit', { lua: SLIDING_WINDOW, numberOfKeys: 1 });
    const redis = options.redis as unknown as { parleyRateLimit: Script };
    this.#run = (key, op, ...args) =>
      redis.parleyRateLimit(key, op, ...args).catch(rethrowRedisError);
  }

  async hit(key: string, rule: RateRule): Promise<RateState> {
    return (await this.#call('hit', key, rule)).state;
  }

  async peek(key: string, rule: RateRule): Promise<RateState> {
    return (await this.#call('peek', key, rule)).state;
  }

  async reserve(key: string, rule: RateRule): Promise<Reservation> {
    const { state, windowStart } = await this.#call('reserve', key, rule);
    if (state.limited) return { ...state, release: async () => {} };
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await this.#run(
        this.#key(key),
        'release',
        this.#now(),
        rule.limit,
        rule.windowMs,
        windowStart,
      );
    };
    return { ...state, release };
  }

  async reset(key: string): Promise<void> {
    await this.#redis.del(this.#key(key)).catch(rethrowRedisError);
  }

  async #call(op: Op, key: string, rule: RateRule) {
    const reply = await this.#run(this.#key(key), op, this.#now(), rule.limit, rule.windowMs);
    const [count, limited, retryAfterMs, windowStart] = Array.isArray(reply)
      ? reply.map(Number)
      : [];
    if (count === undefined || retryAfterMs === undefined || windowStart === undefined) {
      throw new Error(`Redis returned a malformed rate-limit reply: ${JSON.stringify(reply)}`);
    }
    const state: RateState = { count, limited: limited === 1, retryAfterMs };
    return { state, windowStart };
  }

  #key(key: string): string {
    return `${this.#prefix}${key}`;
  }

  /** Millisecond resolution, like the memory adapter's windows. */
  #now(): number {
    return Math.floor(this.#clock.now());
  }
}
