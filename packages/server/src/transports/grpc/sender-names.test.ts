import { describe, expect, it } from 'vitest';
import { SenderNames } from './sender-names.js';

describe('sender names', () => {
  it('reads each name once within the TTL, and again after it', async () => {
    const asked: string[][] = [];
    let nickname = 'Alice';
    let now = 0;
    const names = new SenderNames(
      {
        nicknames: async (ids) => {
          asked.push([...ids]);
          return new Map(ids.filter((id) => id === 'a').map((id) => [id, nickname]));
        },
      },
      () => now,
    );
    expect(await names.of(['a', 'a', 'gone'])).toEqual(
      new Map([
        ['a', 'Alice'],
        ['gone', ''],
      ]),
    );
    expect((await names.of(['a'])).get('a')).toBe('Alice');
    nickname = 'Alicia';
    now = 10_000;
    expect((await names.of(['a'])).get('a')).toBe('Alicia');
    expect(asked).toEqual([['a', 'gone'], ['a']]);
  });
});
