import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runSoon } from './periodic.js';

describe('runSoon', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const logger = pino({ level: 'silent' });

  it('runs once after the delay however often it is scheduled, and never while idle', async () => {
    let runs = 0;
    const soon = runSoon(
      250,
      async () => void runs++,
      () => true,
      logger,
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    soon.schedule();
    soon.schedule();
    await vi.advanceTimersByTimeAsync(249);
    expect(runs).toBe(0);
    soon.schedule();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs again while work is left behind (a failed write), then stops', async () => {
    let left = 2;
    let runs = 0;
    const soon = runSoon(
      100,
      async () => {
        runs++;
        left--;
        if (left > 0) throw new Error('not written');
      },
      () => left <= 0,
      logger,
    );
    soon.schedule();
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(2);
  });

  it('runs nothing once stopped', async () => {
    let runs = 0;
    const soon = runSoon(
      100,
      async () => void runs++,
      () => true,
      logger,
    );
    soon.schedule();
    soon.stop();
    soon.schedule();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(0);
  });
});
