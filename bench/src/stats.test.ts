import { describe, expect, it } from 'vitest';
import { cpuDelta, cpuSeconds, nextRate, percentile, schedule, summarize } from './stats.js';

describe('benchmark statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });

  it('summarizes unsorted samples numerically', () => {
    expect(summarize([5, 1, 3, 2, 4])).toEqual({
      count: 5,
      p50: 3,
      p90: 5,
      p95: 5,
      p99: 5,
      max: 5,
      mean: 3,
    });
    // Numeric, not lexicographic, order.
    expect(summarize([10, 9, 100]).max).toBe(100);
  });

  it('schedules an open loop at the given rate', () => {
    const times = schedule(4, 1000);
    expect(times).toEqual([0, 250, 500, 750]);
    expect(schedule(1000, 2000)).toHaveLength(2000);
  });

  it('reads CPU seconds from /proc/<pid>/stat, even with spaces in the command', () => {
    const stat = '1234 (node server) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0';
    expect(cpuSeconds(stat)).toBe(3);
  });

  it('steps a knee search by doubling up to a cap', () => {
    expect(nextRate(1000, 40_000)).toBe(2000);
    expect(nextRate(32_000, 40_000)).toBeUndefined();
  });
});

describe('CPU between two readings', () => {
  it('subtracts per process, counting a new process from 0 and a vanished one not at all', () => {
    expect(cpuDelta({ a: 1, b: 2, gone: 5 }, { a: 1.5, b: 4, c: 0.25 })).toEqual({
      a: 0.5,
      b: 2,
      c: 0.25,
    });
    expect(cpuDelta({ a: 3 }, { a: 1 })).toEqual({ a: 0 });
  });
});
