import { setNewest } from '../../domain/bounded-map.js';
import type { RateLimiter, RateRule, RateState, Reservation } from '../../ports/rate-limiter.js';
import type { Clock } from '../../ports/system.js';

interface Counter {
  windowStart: number;
  current: number;
  previous: number;
}

export interface MemoryRateLimiterOptions {
  /** Most keys kept at once; the least recently counted are forgotten first. */
  readonly maxKeys?: number;
}

/** The in-process RateLimiter: a Map of sliding-window counters, bounded in size. */
export class MemoryRateLimiter implements RateLimiter {
  readonly #clock: Clock;
  readonly #maxKeys: number;
  readonly #counters = new Map<string, Counter>();

  constructor(clock: Clock, options: MemoryRateLimiterOptions = {}) {
    this.#clock = clock;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  async hit(key: string, rule: RateRule): Promise<RateState> {
    const counter = this.#advance(key, rule);
    counter.current += 1;
    // Re-insert so that Map order is least recently counted first.
    setNewest(this.#counters, key, counter, this.#maxKeys);
    const count = this.#weighted(counter, rule);
    return { count, limited: count > rule.limit, retryAfterMs: this.#retryAfter(counter, rule) };
  }

  async peek(key: string, rule: RateRule): Promise<RateState> {
    const counter = this.#advance(key, rule);
    const count = this.#weighted(counter, rule);
    return { count, limited: count >= rule.limit, retryAfterMs: this.#retryAfter(counter, rule) };
  }

  /** Atomic in one process: the check and the count run in one synchronous step. */
  async reserve(key: string, rule: RateRule): Promise<Reservation> {
    const counter = this.#advance(key, rule);
    if (this.#weighted(counter, rule) >= rule.limit) {
      const count = this.#weighted(counter, rule);
      const retryAfterMs = this.#retryAfter(counter, rule);
      return { count, limited: true, retryAfterMs, release: async () => {} };
    }
    counter.current += 1;
    setNewest(this.#counters, key, counter, this.#maxKeys);
    const count = this.#weighted(counter, rule);
    const countedIn = counter.windowStart;
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      this.#takeBack(key, rule, countedIn);
    };
    return { count, limited: false, retryAfterMs: this.#retryAfter(counter, rule), release };
  }

  async reset(key: string): Promise<void> {
    this.#counters.delete(key);
  }

  /** Moves the counter's window up to now, without storing a counter for an unknown key. */
  #advance(key: string, rule: RateRule): Counter {
    const now = this.#clock.now();
    const windowStart = now - (now % rule.windowMs);
    const counter = this.#counters.get(key) ?? { windowStart, current: 0, previous: 0 };
    if (counter.windowStart !== windowStart) {
      const adjacent = counter.windowStart === windowStart - rule.windowMs;
      counter.previous = adjacent ? counter.current : 0;
      counter.current = 0;
      counter.windowStart = windowStart;
    }
    return counter;
  }

  /** Removes one hit counted in the window starting at `countedIn`, if it is still held. */
  #takeBack(key: string, rule: RateRule, countedIn: number): void {
    const counter = this.#counters.get(key);
    if (counter === undefined) return;
    this.#advance(key, rule);
    if (counter.windowStart === countedIn) counter.current = Math.max(0, counter.current - 1);
    else if (counter.windowStart === countedIn + rule.windowMs) {
      counter.previous = Math.max(0, counter.previous - 1);
    }
  }

  #weighted(counter: Counter, rule: RateRule): number {
    const elapsed = this.#clock.now() - counter.windowStart;
    const overlap = 1 - elapsed / rule.windowMs;
    return Math.floor(counter.previous * overlap) + counter.current;
  }

  #retryAfter(counter: Counter, rule: RateRule): number {
    if (this.#weighted(counter, rule) < rule.limit) return 0;
    return Math.max(1, counter.windowStart + rule.windowMs - this.#clock.now());
  }
}
