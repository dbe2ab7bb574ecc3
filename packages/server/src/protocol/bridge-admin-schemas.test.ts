import { describe, expect, it } from 'vitest';
import { decodeAccountCursor, encodeAccountCursor } from './bridge-admin-schemas.js';

const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the bridge account cursor', () => {
  it('comes back as the key it was made of, whatever the key holds', () => {
    for (const key of [
      { platform: 'douyin', accountId: 'acc-1' },
      { platform: 'p/with "quotes"', accountId: '账号/é\u0000' },
      { platform: 'x'.repeat(191), accountId: 'y'.repeat(191) },
    ]) {
      const cursor = encodeAccountCursor(key);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeAccountCursor(cursor)).toEqual(key);
    }
  });

  it('is refused when this server could not have made it', () => {
    for (const cursor of [
      'not-a-cursor',
      '',
      encoded(['douyin']),
      encoded(['douyin', 'a', 'b']),
      encoded(['douyin', 7]),
      encoded(['', 'a']),
      encoded(['douyin', 'a'.repeat(192)]),
      encoded({ platform: 'douyin', accountId: 'a' }),
    ]) {
      expect(decodeAccountCursor(cursor), cursor).toBeUndefined();
    }
  });
});
