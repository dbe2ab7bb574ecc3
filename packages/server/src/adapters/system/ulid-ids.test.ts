import { describe, expect, it } from 'vitest';
import { UlidIds } from './ulid-ids.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const decodeTime = (id: string) =>
  [...id.slice(0, 10)].reduce((time, char) => time * 32 + ALPHABET.indexOf(char), 0);

describe('UlidIds', () => {
  it('makes 26-character Crockford base-32 ids that carry their millisecond', () => {
    const ids = new UlidIds(() => 1_763_700_000_123);
    const id = ids.next();
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(decodeTime(id)).toBe(1_763_700_000_123);
    expect(decodeTime(new UlidIds().next())).toBeLessThanOrEqual(Date.now());
  });

  it('is strictly increasing within a millisecond, across milliseconds and when the clock steps back', () => {
    let now = 1_000_000;
    const ids = new UlidIds(() => now);
    const made: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      if (i % 1_000 === 999) now += 1;
      if (i === 3_500) now -= 50;
      made.push(ids.next());
    }
    for (let i = 1; i < made.length; i++)
      expect((made[i] as string) > (made[i - 1] as string)).toBe(true);
    expect(new Set(made).size).toBe(made.length);
  });

  it('draws fresh randomness for each new millisecond', () => {
    let now = 5_000;
    const ids = new UlidIds(() => now);
    const randomParts = new Set<string>();
    for (let i = 0; i < 200; i++) {
      now += 1;
      randomParts.add(ids.next().slice(10));
    }
    expect(randomParts.size).toBe(200);
  });
});
