import { setNewest } from '../../domain/bounded-map.js';

/** Users whose buckets are kept; the least recently seen are forgotten past it (and refilled). */
const USERS_KEPT = 100_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Calls per user on this node's gRPC edge: a token bucket each (a sustained rate and a burst),
 * as a WebSocket connection has per connection. Counted per process: a cluster's api nodes each
 * allow the rate, as each gateway does for the connections it holds.
 */
export class UserRateLimits {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perSecond: number;
  readonly #burst: number;

  constructor(options: { perSecond: number; burst: number }) {
    this.#perSecond = options.perSecond;
    this.#burst = options.burst;
  }

  /** Takes a token; the milliseconds to wait for the next one when there is none. */
  take(userId: string, now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    const bucket = this.#buckets.get(userId) ?? { tokens: this.#burst, at: now };
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.#burst, bucket.tokens + elapsed * this.#perSecond);
    bucket.at = now;
    setNewest(this.#buckets, userId, bucket, USERS_KEPT);
    if (bucket.tokens < 1) {
      return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.#perSecond) * 1000) };
    }
    bucket.tokens -= 1;
    return { ok: true };
  }
}
