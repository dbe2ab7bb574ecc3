import { describe, expect, it } from 'vitest';
import { toPublicMessage, type MessageRecord } from '../domain/message.js';
import { publicMessageJson } from './message-json.js';
import { encodeEvent, encodeReply, RawJson } from './ws-frames.js';

const record = (patch: Partial<MessageRecord> = {}): MessageRecord => ({
  id: '01KAKX9V3Q6N2J8T1M4B7C0D5E',
  conversationId: 's_01KAKX9V3Q6N2J8T1M4B7C0D5F_01KAKX9V3Q6N2J8T1M4B7C0D5G',
  seq: 42,
  senderId: '01KAKX9V3Q6N2J8T1M4B7C0D5F',
  clientMsgId: 'c-1',
  type: 'text',
  content: JSON.stringify({ text: 'hello' }),
  status: 'sent',
  createdAt: 1_763_700_000_123,
  editedAt: null,
  ...patch,
});

describe('publicMessageJson', () => {
  it('is the JSON of the public message, byte for byte', () => {
    const cases = [
      record(),
      record({ editedAt: 1_763_700_000_999, status: 'recalled', seq: 9_007_199_254_740_991 }),
      record({ content: JSON.stringify({ text: 'é "quoted" \\ \n\t ✓ 😀 \u2028' }) }),
      record({
        type: 'location',
        content: JSON.stringify({ latitude: -33.5, longitude: 151.25, name: '</script>' }),
      }),
      record({ type: 'custom', content: JSON.stringify({ data: { a: [1, null, true] } }) }),
      record({ clientMsgId: 'weird"\\id', conversationId: 'g_x' }),
    ];
    for (const m of cases) expect(publicMessageJson(m)).toBe(JSON.stringify(toPublicMessage(m)));
  });

  it('splices into replies and events exactly as the plain encoders write them', () => {
    const message = toPublicMessage(record());
    const text = publicMessageJson(record());
    expect(encodeReply(7, new RawJson(`{"message":${text},"duplicate":false}`))).toBe(
      encodeReply(7, { message, duplicate: false }),
    );
    expect(encodeReply('r-1', new RawJson('{}'))).toBe(encodeReply('r-1', {}));
    expect(encodeEvent('message.new', new RawJson(`{"message":${text}}`))).toEqual(
      encodeEvent('message.new', { message }),
    );
  });
});
