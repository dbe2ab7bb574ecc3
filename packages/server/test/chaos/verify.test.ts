import { describe, expect, it } from 'vitest';
import { verify } from './verify.js';

const acked = (entries: [string, number][]) => new Map([['c1', new Map(entries)]]);
const stored = (messages: [number, string][]) =>
  new Map([['c1', messages.map(([seq, client_msg_id]) => ({ seq, client_msg_id }))]]);

describe('the chaos run verdict', () => {
  it('is clean when every acknowledged message is stored once under its seq', () => {
    expect(
      verify(
        acked([
          ['a', 1],
          ['b', 2],
        ]),
        stored([
          [1, 'a'],
          [2, 'b'],
          [3, 'c'],
        ]),
      ),
    ).toEqual({
      acked: 2,
      found: 2,
      lost: 0,
      duplicated: 0,
      seq_mismatch: 0,
      seq_gaps: 0,
      seq_dups: 0,
      stored: 3,
    });
  });

  it('counts lost, duplicated and moved messages, and gaps and repeats in the seqs', () => {
    const verdict = verify(
      acked([
        ['a', 1],
        ['b', 2],
        ['c', 3],
        ['d', 5],
      ]),
      stored([
        [1, 'a'],
        [3, 'b'],
        [3, 'c'],
        [5, 'c'],
        [6, 'x'],
      ]),
    );
    expect(verdict).toMatchObject({
      acked: 4,
      found: 3,
      lost: 1, // d
      duplicated: 1, // c twice
      seq_mismatch: 1, // b acknowledged as 2, stored as 3
      seq_gaps: 2, // 2 and 4
      seq_dups: 1, // 3 twice
    });
  });
});
