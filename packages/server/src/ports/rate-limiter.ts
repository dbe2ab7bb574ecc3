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
  /** Weighted hits in the sliding window, this one included for `hit` and `reserve`. */
  readonly count: number;
  /** `hit`, `reserve`: this hit is over the limit. `peek`: one more hit would be over it. */
  readonly limited: boolean;
  readonly retryAfterMs: number;
}

/** A hit counted ahead of the work it guards. */
export interface Reservation extends RateState {
  /**
   * Takes the hit back (the guarded work succeeded and should not count). It is taken from the
   * window it was counted in, or from nothing once that window has slid out. Calling it again,
   * or on a limited reservation (which counted nothing), does nothing.
   */
  release(): Promise<void>;
}

export interface RateLimiter {
  /** Counts one hit and returns the state after it. */
  hit(key: string, rule: RateRule): Promise<RateState>;
  /** Returns the state without counting. */
  peek(key: string, rule: RateRule): Promise<RateState>;
  /**
   * Check and count in one atomic step, before the guarded work starts: of any number of
   * concurrent reservations of a key (across every process sharing the limiter), at most as
   * many as the limit leaves room for come back unlimited. A limited reservation counts
   * nothing. Count, then work, then release on success: a burst of callers cannot all pass a
   * check that only counts failures after the work.
   */
  reserve(key: string, rule: RateRule): Promise<Reservation>;
  /** Forgets a key (for example after a successful login). */
  reset(key: string): Promise<void>;
}
