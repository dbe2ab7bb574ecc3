import { describe, expect, it } from 'vitest';
import { SETTLE, START_UP_MS, settleOptions, untilQuiet, type Time } from './settle.js';

/** A clock that moves only when slept on. */
function fakeTime(): Time & { readonly at: () => number } {
  let at = 0;
  return {
    at: () => at,
    now: () => at,
    sleep: async (ms) => {
      at += ms;
    },
  };
}

const options = { minMs: 2_000, maxMs: 30_000, quietCpuS: 0.1, spellMs: 3_000 };

describe('untilQuiet', () => {
  it('waits until the quiet has lasted a whole spell', async () => {
    const time = fakeTime();
    // 0.5 CPU-s a second until 4 s, 0.01 after.
    const cpu = () => {
      const t = time.at() / 1000;
      return t < 4 ? t * 0.5 : 2 + (t - 4) * 0.01;
    };
    await untilQuiet(cpu, options, time);
    // Busy up to 4 s, then a 3 s spell of quiet.
    expect(time.at()).toBe(7_000);
  });

  it('starts the spell again at a busy second inside it (a later collection)', async () => {
    const time = fakeTime();
    // Quiet but for one busy second, 2-3 s (0.3 CPU-s), as V8's next collection would be.
    const cpu = () => {
      const t = time.at() / 1000;
      return t <= 2 ? t * 0.01 : t < 3 ? 0.02 + (t - 2) * 0.3 : 0.32 + (t - 3) * 0.01;
    };
    await untilQuiet(cpu, options, time);
    // Without it, the spell would have ended at 3 s.
    expect(time.at()).toBe(6_000);
  });

  it('never returns before the minimum, however quiet', async () => {
    const time = fakeTime();
    await untilQuiet(() => 0, { ...options, minMs: 10_000 }, time);
    expect(time.at()).toBe(10_000);
  });

  it('gives up at the maximum when the shape never goes quiet', async () => {
    const time = fakeTime();
    await untilQuiet(() => time.at() / 1000, { ...options, minMs: 1_000, maxMs: 5_000 }, time);
    expect(time.at()).toBe(5_000);
  });
});

describe('settleOptions', () => {
  it('keeps a shape that has just started unsettled until its start-up is over', () => {
    const fresh = settleOptions(1_000, 6_000);
    expect(fresh.minMs).toBe(START_UP_MS - 5_000);
    expect(fresh.maxMs).toBeGreaterThanOrEqual(fresh.minMs + SETTLE.spellMs);
  });

  it('asks no more than SETTLE of a shape that has been up longer', () => {
    expect(settleOptions(0, START_UP_MS * 3)).toEqual(SETTLE);
  });
});
