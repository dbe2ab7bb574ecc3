import { describe, expect, it } from 'vitest';
import { untilQuiet, type Time } from './settle.js';

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

describe('untilQuiet', () => {
  it('waits the minimum, then until a second passes under the quiet threshold', async () => {
    const time = fakeTime();
    // 0.5 CPU-s a second until 4 s, 0.01 after.
    const cpu = () => {
      const t = time.at() / 1000;
      return t < 4 ? t * 0.5 : 2 + (t - 4) * 0.01;
    };
    await untilQuiet(cpu, { minMs: 2_000, maxMs: 30_000, quietCpuS: 0.1 }, time);
    // 2 s minimum, two busy seconds (2-3, 3-4), then the quiet one (4-5).
    expect(time.at()).toBe(5_000);
  });

  it('never returns before the minimum, however quiet', async () => {
    const time = fakeTime();
    await untilQuiet(() => 0, { minMs: 10_000, maxMs: 30_000, quietCpuS: 0.1 }, time);
    expect(time.at()).toBe(11_000);
  });

  it('gives up at the maximum when the shape never goes quiet', async () => {
    const time = fakeTime();
    await untilQuiet(() => time.at() / 1000, { minMs: 1_000, maxMs: 5_000, quietCpuS: 0.1 }, time);
    expect(time.at()).toBe(5_000);
  });
});
