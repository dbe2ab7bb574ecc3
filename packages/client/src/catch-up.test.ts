import { describe, expect, it } from 'vitest';
import { catchUp, type CatchUpDeps } from './catch-up.js';
import { SeqTracker } from './seq-tracker.js';
import type { Conversation, Message } from './types.js';

interface Row {
  id: string;
  at: number;
  maxSeq: number;
}

/**
 * A server's conversation list in memory: most recent activity first, pages of three by a
 * keyset cursor, and a hook that runs before each list request (to move conversations).
 */
function fakeServer(rows: Row[], beforeList: (call: number) => void) {
  let calls = 0;
  const order = () => [...rows].sort((x, y) => y.at - x.at || (x.id < y.id ? -1 : 1));
  const view = (r: Row) =>
    ({ conversation_id: r.id, max_seq: r.maxSeq, max_change_seq: 0 }) as Conversation;
  const request = (async (op: string, data: Record<string, unknown>) => {
    if (op === 'conversation.list') {
      beforeList(calls++);
      const cursor = data.cursor as string | undefined;
      const [at, id] = cursor === undefined ? [Infinity, ''] : cursor.split('|');
      const rest = order().filter((r) => r.at < Number(at) || (r.at === Number(at) && r.id > id!));
      const page = rest.slice(0, 3);
      const last = page.at(-1);
      return {
        conversations: page.map(view),
        next_cursor: rest.length > 3 && last ? `${last.at}|${last.id}` : null,
      };
    }
    if (op === 'message.history') {
      const row = rows.find((r) => r.id === data.conversation_id)!;
      const after = data.after_seq as number;
      const messages = Array.from({ length: row.maxSeq - after }, (_, i) => ({
        conversation_id: row.id,
        seq: after + i + 1,
      }));
      return { messages, has_more: false };
    }
    throw new Error(`unexpected ${op}`);
  }) as CatchUpDeps['request'];
  return { request };
}

describe('catchUp', () => {
  it('pages the whole list, and finds a conversation that moved ahead of the walk', async () => {
    const rows: Row[] = Array.from({ length: 10 }, (_, i) => ({
      id: `c${i}`,
      at: 100 - i,
      maxSeq: 1,
    }));
    const tracker = new SeqTracker();
    for (const row of rows) tracker.observeMessage(row.id, 1);
    // While the walk is past its first page, c8 gets two messages and moves to the front.
    const { request } = fakeServer(rows, (call) => {
      if (call === 1) Object.assign(rows[8]!, { at: 200, maxSeq: 3 });
    });
    const delivered: string[] = [];
    const conversations = await catchUp({
      request,
      tracker,
      deliverMessage: (m: Message) => {
        if (tracker.observeMessage(m.conversation_id, m.seq))
          delivered.push(`${m.conversation_id}:${m.seq}`);
      },
      deliverChange: () => {},
    });
    expect(delivered).toEqual(['c8:2', 'c8:3']);
    expect(conversations.map((c) => c.conversation_id)).toEqual([
      'c8',
      'c0',
      'c1',
      'c2',
      'c3',
      'c4',
      'c5',
      'c6',
      'c7',
      'c9',
    ]);
  });

  it('fetches what was missed in a conversation on a later page', async () => {
    const rows: Row[] = Array.from({ length: 8 }, (_, i) => ({
      id: `d${i}`,
      at: 100 - i,
      maxSeq: 1,
    }));
    const tracker = new SeqTracker();
    tracker.observeMessage('d7', 1);
    rows[7]!.maxSeq = 2;
    const { request } = fakeServer(rows, () => {});
    const delivered: number[] = [];
    const conversations = await catchUp({
      request,
      tracker,
      deliverMessage: (m: Message) => delivered.push(m.seq),
      deliverChange: () => {},
    });
    expect(delivered).toEqual([2]);
    expect(conversations).toHaveLength(8);
  });
});
