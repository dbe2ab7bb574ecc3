import { describe, expect, it } from 'vitest';
import { encodeEvent, encodeReply, RawJson } from './ws-frames.js';

describe('RawJson in the frame encoders', () => {
  it('splices JSON text exactly where the encoders would have written the value', () => {
    const message = { message_id: 'm1', content: { text: 'é "quoted" \\ \n ✓ 😀' }, seq: 3 };
    const json = JSON.stringify(message);
    for (const id of [7, 'r-1', null]) {
      expect(encodeReply(id, new RawJson(`{"message":${json},"duplicate":false}`))).toBe(
        encodeReply(id, { message, duplicate: false }),
      );
    }
    expect(encodeEvent('message.new', new RawJson(`{"message":${json}}`))).toEqual(
      encodeEvent('message.new', { message }),
    );
  });
});
