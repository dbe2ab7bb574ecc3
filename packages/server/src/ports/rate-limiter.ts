/**
 * RateLimiter: counts hits per key over a sliding window (the sliding-window counter: the
 * previous fixed window's count, weighted by how much of it still overlaps, plus the current
 * one's). A steady caller gets exactly the rule's rate; a burst at a window's edge is smoothed
 * rather than allowed twice, as a plain fixed window would.
 *
 * Memory is bounded: idle keys are forgotten. Counts are per process for the in-memory adapter.
 */

export interface RateRule {
  readonly limit: number;
  readonly windowMs: number;
}

export interface RateState {
  /** Weighted hits in the sliding window, this one included for `hit`. */
  readonly count: number;
  /** `hit`: this hit is over the limit. `peek`: one more hit would be over it. */
  readonly limited: boolean;
  readonly retryAfterMs: number;
}

export interface RateLimiter {
  /** Counts one hit and returns the state after it. */
  hit(key: string, rule: RateRule): Promise<RateState>;
  /** Returns the state without counting. */
  peek(key: string, rule: RateRule): Promise<RateState>;
  /** Forgets a key (for example after a successful login). */
  reset(key: string): Promise<void>;
}
