import type { Message } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { findBySeq, prepend, upsert } from './thread.js';

const m = (seq: number, text = `m${seq}`): Message => ({
  message_id: `id${seq}`,
  conversation_id: 'c',
  seq,
  sender_id: 'u',
  client_msg_id: `k${seq}`,
  type: 'text',
  content: { text },
  status: 'sent',
  created_at: seq,
  edited_at: null,
});

describe('a thread of loaded messages', () => {
  it('puts a message in seq order, replacing the one with its seq', () => {
    let items = [m(1), m(3), m(4)];
    items = upsert(items, m(2));
    items = upsert(items, m(5));
    items = upsert(items, m(3, 'edited'));
    expect(items.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(findBySeq(items, 3)?.content).toEqual({ text: 'edited' });
    expect(findBySeq(items, 6)).toBeUndefined();
  });

  it('prepends an older page, skipping what it already holds', () => {
    const items = prepend([m(4), m(5)], [m(2), m(3), m(4)]);
    expect(items.map((x) => x.seq)).toEqual([2, 3, 4, 5]);
  });

  it('does not change the array it was given (components compare by reference)', () => {
    const items = [m(1)];
    expect(upsert(items, m(2))).not.toBe(items);
    expect(items).toHaveLength(1);
  });
});
