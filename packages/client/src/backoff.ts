/** Exponential backoff with jitter, kept pure so that delays can be tested exactly. */

export interface BackoffOptions {
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** No delay is ever longer than this. */
  maxDelayMs: number;
  /** Each attempt waits this many times longer than the one before. */
  factor: number;
  /** Fraction (0–1) of the delay that is randomised away. */
  jitter: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: 0.2,
});

/** Fills in defaults and refuses values that would make the delays meaningless. */
export function backoffOptions(options: Partial<BackoffOptions> = {}): BackoffOptions {
  const resolved = { ...DEFAULT_BACKOFF, ...stripUndefined(options) };
  const { initialDelayMs, maxDelayMs, factor, jitter } = resolved;
  if (!(initialDelayMs >= 0) || !(maxDelayMs >= initialDelayMs)) {
    throw new RangeError('backoff: need 0 <= initialDelayMs <= maxDelayMs');
  }
  if (!(factor >= 1)) throw new RangeError('backoff: factor must be at least 1');
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError('backoff: jitter must be within 0–1');
  return resolved;
}

/**
 * The delay before retry number `attempt` (0 for the first retry):
 * `min(maxDelayMs, initialDelayMs × factor^attempt)`, reduced by up to `jitter` of itself.
 *
 * Jitter only shortens the delay so that `maxDelayMs` stays a true ceiling; it still spreads
 * clients that lost the same server apart so they do not all come back at the same instant.
 *
 * @param random a source of numbers in [0, 1), injected for tests.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const { initialDelayMs, maxDelayMs, factor, jitter } = options;
  const grown = initialDelayMs * factor ** Math.max(0, attempt);
  // initialDelayMs 0 with a huge exponent is 0 × Infinity = NaN: that still means no delay.
  const base = Number.isNaN(grown) ? 0 : Math.min(maxDelayMs, grown);
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(base * (1 - jitter * r));
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
