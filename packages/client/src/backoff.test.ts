import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay, backoffOptions } from './backoff.js';

const noJitter = backoffOptions({ jitter: 0 });

describe('backoffDelay', () => {
  it('grows by the factor from the initial delay', () => {
    const delays = [0, 1, 2, 3, 4].map((attempt) => backoffDelay(attempt, noJitter));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000]);
  });

  it('never exceeds the maximum, even for huge attempt numbers', () => {
    expect(backoffDelay(6, noJitter)).toBe(10_000);
    expect(backoffDelay(10_000, noJitter)).toBe(10_000);
    expect(backoffDelay(10_000, DEFAULT_BACKOFF, () => 0)).toBe(10_000);
  });

  it('takes up to `jitter` of the delay away, following the random source', () => {
    const options = backoffOptions({ initialDelayMs: 1000, jitter: 0.2 });
    expect(backoffDelay(0, options, () => 0)).toBe(1000);
    expect(backoffDelay(0, options, () => 0.5)).toBe(900);
    expect(backoffDelay(0, options, () => 0.999999)).toBe(800);
  });

  it('keeps a misbehaving random source within bounds', () => {
    const options = backoffOptions({ initialDelayMs: 1000, jitter: 0.5 });
    expect(backoffDelay(0, options, () => -3)).toBe(1000);
    expect(backoffDelay(0, options, () => 7)).toBe(500);
  });

  it('handles a zero initial delay', () => {
    const options = backoffOptions({ initialDelayMs: 0 });
    expect(backoffDelay(0, options)).toBe(0);
    expect(backoffDelay(5000, options)).toBe(0);
  });
});

describe('backoffOptions', () => {
  it('fills in the defaults, ignoring undefined fields', () => {
    expect(backoffOptions({ maxDelayMs: undefined, factor: 3 })).toEqual({
      initialDelayMs: 250,
      maxDelayMs: 10_000,
      factor: 3,
      jitter: 0.2,
    });
  });

  it('refuses meaningless values', () => {
    expect(() => backoffOptions({ initialDelayMs: -1 })).toThrow(RangeError);
    expect(() => backoffOptions({ initialDelayMs: 500, maxDelayMs: 100 })).toThrow(RangeError);
    expect(() => backoffOptions({ factor: 0.5 })).toThrow(RangeError);
    expect(() => backoffOptions({ jitter: 1.5 })).toThrow(RangeError);
    expect(() => backoffOptions({ jitter: Number.NaN })).toThrow(RangeError);
  });
});
