import { describe, expect, it } from 'vitest';
import { countWithinBudget, messageJsonBytes } from './reply-budget.js';
import { toPublicMessage, type MessageRecord } from './message.js';

const record = (text: string): MessageRecord => ({
  id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
  conversationId: 's_01JABCDEFGHJKMNPQRSTVWXYZ1_01JABCDEFGHJKMNPQRSTVWXYZ2',
  seq: 9_007_199_254_740_991,
  senderId: '01JABCDEFGHJKMNPQRSTVWXYZ1',
  clientMsgId: 'c'.repeat(64),
  type: 't'.repeat(64),
  content: JSON.stringify({ text }),
  status: 'recalled',
  createdAt: 1_700_000_000_000,
  editedAt: 1_700_000_000_000,
});

describe('countWithinBudget', () => {
  it('takes items in order while they fit, and always at least one', () => {
    expect(countWithinBudget([4, 4, 4], (n) => n, 10)).toBe(2);
    expect(countWithinBudget([4, 4, 2], (n) => n, 10)).toBe(3);
    expect(countWithinBudget([50, 1], (n) => n, 10)).toBe(1);
    expect(countWithinBudget([], (n: number) => n, 10)).toBe(0);
  });

  it('bounds a message’s JSON from above, multi-byte text included', () => {
    for (const text of ['', 'plain', 'é ✓ 😀 "quoted" \\'.repeat(1_000)]) {
      const m = record(text);
      const actual = Buffer.byteLength(JSON.stringify(toPublicMessage(m)));
      expect(messageJsonBytes(m)).toBeGreaterThanOrEqual(actual);
      expect(messageJsonBytes(m) - actual).toBeLessThan(512);
    }
  });
});
