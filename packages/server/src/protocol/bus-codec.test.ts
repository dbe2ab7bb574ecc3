import { describe, expect, it } from 'vitest';
import type { BusMessage } from '../ports/bus.js';
import { decodeBusMessage, encodeBusMessage } from './bus-codec.js';

const roundTrip = (m: BusMessage) => {
  const { payload, meta } = encodeBusMessage(m);
  return decodeBusMessage(payload, meta);
};

describe('bus codec', () => {
  it('sends a frame alone as its bytes, with no meta', () => {
    const frame = Buffer.from('{"event":"message"}');
    const encoded = encodeBusMessage({ frame });
    expect(encoded.meta).toBeUndefined();
    expect(Buffer.from(encoded.payload).equals(frame)).toBe(true);
  });

  it('round-trips every field, and tells no frame from an empty one', () => {
    const messages: BusMessage[] = [
      { frame: Buffer.alloc(0) },
      { control: { kind: 'unsubscribe', conversationId: 'c' } },
      { control: { kind: 'unsubscribe-bridge', accountId: 'acc-1' } },
      {
        frame: Buffer.from('f'),
        exceptConnection: 'c1',
        exceptUser: '',
        control: { kind: 'invalidate', cache: 'conversation', keys: ['k'], origin: 'gw-1' },
      },
    ];
    for (const m of messages) expect(roundTrip(m)).toEqual({ ok: true, message: m });
  });

  it('ignores fields it does not know, for newer senders', () => {
    expect(decodeBusMessage(Buffer.from('x'), '{"exceptUser":"u","priority":3}')).toEqual({
      ok: true,
      message: { frame: Buffer.from('x'), exceptUser: 'u' },
    });
  });

  it('refuses what does not fit the schema, without throwing', () => {
    const bad = [
      '',
      'null',
      '[]',
      '{"exceptUser":1}',
      '{"control":{"kind":"subscribe"}}',
      '{"control":{"kind":"unsubscribe-bridge","conversationId":"c"}}',
      '{"control":{"kind":"invalidate","cache":"other","keys":[]}}',
      '{"frame":true}',
    ];
    for (const meta of bad) {
      expect(decodeBusMessage(Buffer.alloc(0), meta)).toMatchObject({ ok: false });
    }
  });
});
