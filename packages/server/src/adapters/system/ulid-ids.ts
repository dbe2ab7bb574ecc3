import { randomFillSync } from 'node:crypto';
import type { Ids } from '../../ports/system.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_DIGITS = 10;
const RANDOM_DIGITS = 16;
/** Random bytes drawn per refill: one syscall per 256 new milliseconds. */
const POOL_BYTES = RANDOM_DIGITS * 256;

/**
 * ULIDs (26 Crockford base-32 characters: 48 bits of milliseconds, 80 random bits), strictly
 * increasing within one process, as ulid's monotonic factory makes them: the random part is
 * drawn once per new millisecond and incremented for every further id in the same millisecond
 * (or while the clock stands behind the last id's time).
 *
 * Written here rather than taken from the `ulid` package, which asks the OS for one random
 * byte per character of every id (16 randomFillSync calls) and increments through string
 * searches; ids are minted for every message, so that showed in send-path profiles. Random
 * bytes come from a pool refilled from the CSPRNG; each byte's low five bits make one digit
 * (256 is a multiple of 32, so the digits stay uniform).
 */
export class UlidIds implements Ids {
  readonly #now: () => number;
  readonly #digits = new Uint8Array(RANDOM_DIGITS);
  readonly #pool = Buffer.alloc(POOL_BYTES);
  #poolAt = POOL_BYTES;
  #lastTime = -1;
  #timeText = '';

  /** `now` is for tests; ids take the wall clock. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  next(): string {
    const now = this.#now();
    if (now > this.#lastTime) {
      this.#setTime(now);
      this.#drawRandom();
    } else if (!this.#increment()) {
      // 2^80 ids in one millisecond: move to the next one rather than repeat an id.
      this.#setTime(this.#lastTime + 1);
      this.#drawRandom();
    }
    let text = this.#timeText;
    for (const digit of this.#digits) text += ALPHABET[digit];
    return text;
  }

  #setTime(time: number): void {
    this.#lastTime = time;
    let text = '';
    let rest = time;
    for (let i = 0; i < TIME_DIGITS; i++) {
      text = ALPHABET[rest % 32] + text;
      rest = Math.floor(rest / 32);
    }
    this.#timeText = text;
  }

  #drawRandom(): void {
    if (this.#poolAt + RANDOM_DIGITS > POOL_BYTES) {
      randomFillSync(this.#pool);
      this.#poolAt = 0;
    }
    for (let i = 0; i < RANDOM_DIGITS; i++)
      this.#digits[i] = (this.#pool[this.#poolAt++] ?? 0) & 31;
  }

  /** Adds one to the random part; false when it wrapped around. */
  #increment(): boolean {
    for (let i = RANDOM_DIGITS - 1; i >= 0; i--) {
      const digit = (this.#digits[i] ?? 0) + 1;
      if (digit < 32) {
        this.#digits[i] = digit;
        return true;
      }
      this.#digits[i] = 0;
    }
    return false;
  }
}
