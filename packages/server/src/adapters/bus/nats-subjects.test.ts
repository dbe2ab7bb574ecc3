import { describe, expect, it } from 'vitest';
import { idFromSubjectToken, subjectToken, topicSubject } from './nats-subjects.js';

/** One valid NATS subject token that matches only itself: no separator, wildcard or space. */
const SAFE_TOKEN = /^[^.*>\s]+$/;

describe('NATS subjects', () => {
  it('maps each kind of topic under the prefix', () => {
    expect(topicSubject('user:01J', 'im')).toBe('im.user.01J');
    expect(topicSubject('conv:c_1-2', 'im')).toBe('im.conv.c_1-2');
    expect(topicSubject('cache', 'im')).toBe('im.cache');
    expect(topicSubject('bridge:acc-1', 'im')).toBe('im.bridge.acc-1');
    expect(topicSubject('other', 't1')).toBe('t1.topic.other');
  });

  it('encodes unsafe ids reversibly into one safe token, and keeps safe ids as they are', () => {
    const ids = ['a.b', '*', '>', 'a b', '', 'é', '~', '~abc', 'x\ty', 'a.>', '日本'];
    const tokens = ids.map(subjectToken);
    for (const [i, token] of tokens.entries()) {
      expect(token).toMatch(SAFE_TOKEN);
      expect(idFromSubjectToken(token)).toBe(ids[i]);
    }
    expect(new Set(tokens).size).toBe(ids.length);
    expect(subjectToken('01HZX-abc_9')).toBe('01HZX-abc_9');
    expect(idFromSubjectToken('01HZX-abc_9')).toBe('01HZX-abc_9');
  });
});
