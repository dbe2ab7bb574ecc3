/**
 * A small seeded random source (mulberry32): the same seed gives the same cases on every
 * machine, so a failing case can be replayed from the seed the run printed.
 */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A child source for one case, so that cases replay alone from (seed, index). */
  fork(index: number): Rng {
    return new Rng(Math.imul(this.#state ^ index, 0x9e3779b1) ^ index);
  }
}

/** The run's seed: PARLEY_FUZZ_SEED if set, else `fallback` (fixed in CI). */
export function fuzzSeed(fallback: number): number {
  const text = process.env.PARLEY_FUZZ_SEED;
  if (text === undefined || text === '') return fallback;
  const seed = Number(text);
  if (!Number.isInteger(seed)) throw new Error(`PARLEY_FUZZ_SEED must be an integer, not ${text}`);
  return seed >>> 0;
}

/** Cases per edge: PARLEY_FUZZ_CASES if set, else `fallback`. */
export function fuzzCases(fallback: number): number {
  const text = process.env.PARLEY_FUZZ_CASES;
  if (text === undefined || text === '') return fallback;
  const cases = Number(text);
  if (!Number.isInteger(cases) || cases < 1) {
    throw new Error(`PARLEY_FUZZ_CASES must be a positive integer, not ${text}`);
  }
  return cases;
}
