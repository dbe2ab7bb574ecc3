import { ExtMessage, MsgScene } from '@parley/proto';
import { describe, expect, it } from 'vitest';
import { ExtRejection } from './errors.js';
import { custom, derivedMsgId, parsePayload, text, toExtMessage } from './messages.js';

const source = ExtMessage.fromPartial({
  msgId: '01JABCDEF',
  conversation: 'g_7',
  fromUid: 'alice',
  groupId: '7',
  msgType: 'redpacket',
});

describe('generated messages', () => {
  it('become envelopes with UTF-8 JSON payloads and defaults from the handled message', () => {
    const m = toExtMessage(text('héllo', { scene: 'system' }), source, 0);
    expect(m).toMatchObject({
      msgId: '01JABCDEF-g0',
      conversation: 'g_7',
      groupId: '7',
      toUid: '',
      fromUid: '',
      msgType: 'text',
      scene: MsgScene.SCENE_SYSTEM,
    });
    expect(m.payload.toString('utf8')).toBe('{"text":"héllo"}');
    const c = toExtMessage(
      custom('image.meta', { w: 1 }, { msgId: 'own', fromUid: 'bot' }),
      source,
      3,
    );
    expect(c).toMatchObject({ msgId: 'own', fromUid: 'bot', msgType: 'custom', scene: 0 });
    expect(JSON.parse(c.payload.toString('utf8'))).toEqual({
      custom_type: 'image.meta',
      data: { w: 1 },
    });
  });

  it('get ids that are stable, distinct per position and within Parley id rules', () => {
    expect(derivedMsgId('abc', 2)).toBe(derivedMsgId('abc', 2));
    expect(derivedMsgId('abc', 2)).not.toBe(derivedMsgId('abc', 3));
    for (const id of ['x'.repeat(64), 'client:msg.1', 'ü']) {
      const derived = derivedMsgId(id, 0);
      expect(derived).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(derived).toBe(derivedMsgId(id, 0));
      expect(derived).not.toBe(derivedMsgId(id, 1));
    }
  });
});

describe('parsePayload', () => {
  const payload = (s: string) => ({ payload: Buffer.from(s, 'utf8') });

  it('returns the content object', () => {
    expect(parsePayload(payload('{"amount":100,"greeting":"恭喜"}'))).toEqual({
      amount: 100,
      greeting: '恭喜',
    });
  });

  it('refuses what is not a JSON object with an ExtRejection', () => {
    for (const bad of ['', 'nope', '[1]', '"s"', 'null', '3']) {
      expect(() => parsePayload(payload(bad)), bad).toThrow(ExtRejection);
    }
  });
});
