import { Redis } from 'ioredis';
import { appError } from '../../domain/errors.js';

export interface RedisConnectionOptions {
  /** redis://[user:password@]host:port[/db], usually from PARLEY_REDIS_URL. */
  readonly url: string;
  /** Shown by CLIENT LIST and in log lines, e.g. `parley-presence`. */
  readonly name: string;
  /** How long the first connection may take before connectRedis gives up (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Longest pause between reconnection attempts (default 2 s). */
  readonly maxBackoffMs?: number;
  /** A command without a reply after this long fails (default 5 s), e.g. on a hung server. */
  readonly commandTimeoutMs?: number;
  /** Told once when Redis becomes unreachable and once when it answers again. */
  readonly log?: (line: string) => void;
}

/**
 * A Redis client for Parley's shared state. Once connected it reconnects forever with a capped
 * exponential backoff. While Redis is away, calls fail after one retry (a few seconds at most)
 * instead of queueing without bound: callers degrade rather than pile up. The first connection
 * must succeed within `connectTimeoutMs`, or this rejects with an error that names
 * PARLEY_REDIS_URL.
 */
export async function connectRedis(options: RedisConnectionOptions): Promise<Redis> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const maxBackoffMs = options.maxBackoffMs ?? 2_000;
  const log = options.log ?? (() => {});
  const where = `Redis ${redactUrl(options.url)} (${options.name})`;
  const redis = new Redis(options.url, {
    connectionName: options.name,
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    maxRetriesPerRequest: 1,
    // Never give up: a gateway outlives a Redis restart.
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 16), maxBackoffMs),
  });

  // Without a listener an 'error' event would crash the process; report each outage once.
  let reachable = false;
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
    if (!reachable) return;
    reachable = false;
    log(`${where} is unreachable (${err.message}); reconnecting`);
  });
  redis.on('ready', () => {
    if (!reachable && lastError !== undefined) log(`${where} answers again`);
    reachable = true;
  });

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), connectTimeoutMs);
  });
  try {
    await Promise.race([redis.connect(), timeout]);
    reachable = true;
    return redis;
  } catch (err) {
    redis.disconnect();
    const cause = lastError?.message ?? (err instanceof Error ? err.message : String(err));
    throw new Error(
      `Cannot connect to ${where} within ${connectTimeoutMs} ms: ${cause}. ` +
        'Check PARLEY_REDIS_URL and that Redis is running.',
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The catch handler of every Redis call: a Redis that does not answer (connection refused or
 * lost, no reply in time, the one retry used up) is an outage, so the caller gets UNAVAILABLE,
 * which clients retry, rather than INTERNAL. Other errors are rethrown unchanged.
 */
export function rethrowRedisError(err: unknown): never {
  const { name, code, message } = (err ?? {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
  };
  const away =
    name === 'MaxRetriesPerRequestError' ||
    (typeof code === 'string' && /^E[A-Z]+$/.test(code)) ||
    (typeof message === 'string' && /^(Connection is closed|Command timed out)/.test(message));
  if (!away) throw err;
  throw appError(
    'ENGINE_UNAVAILABLE',
    'Redis does not answer; try again shortly.',
    {},
    { cause: err },
  );
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(an invalid URL)';
  }
}
