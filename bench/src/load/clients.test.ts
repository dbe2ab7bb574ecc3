import { describe, expect, it } from 'vitest';
import { deliveredText, replyOutcome } from './clients.js';

const frame = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('deliveredText', () => {
  it("reads the text of Parley's message.new and of the relay's forwarded send", () => {
    const message = {
      message_id: 'm1',
      conversation_id: 's_a_b',
      seq: 3,
      type: 'text',
      content: { text: '1234.5' },
    };
    expect(deliveredText(frame({ event: 'message.new', data: { message } }))).toBe('1234.5');
    const send = { id: 7, op: 'message.send', data: { type: 'text', content: { text: '42' } } };
    expect(deliveredText(frame(send))).toBe('42');
  });

  it('ignores every other frame', () => {
    expect(deliveredText(frame({ event: 'typing', data: { content: { text: '1' } } }))).toBe(
      undefined,
    );
    expect(deliveredText(frame({ event: 'message.new', data: { message: {} } }))).toBe(undefined);
    expect(deliveredText(frame({ id: 1, ok: true, data: {} }))).toBe(undefined);
  });
});

describe('replyOutcome', () => {
  it('tells replies that went well from errors, and ignores events', () => {
    expect(replyOutcome(frame({ id: 12, ok: true, data: { message: {} } }))).toBe('ok');
    expect(replyOutcome(frame({ id: 'r-1', ok: false, error: { code: 'X' } }))).toBe('error');
    expect(replyOutcome(frame({ id: null, ok: false, error: { code: 'X' } }))).toBe('error');
    expect(replyOutcome(frame({ event: 'message.new', data: { ok: true } }))).toBe(undefined);
  });
});
