import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacDeviceTokens } from './hmac-device-tokens.js';

describe('HmacDeviceTokens', () => {
  const tokens = new HmacDeviceTokens(randomBytes(32));

  it('verifies what it issued, and names the device and binding time', () => {
    const token = tokens.issue('aa:bb:cc:dd:ee:ff', 1_700_000_000_123);
    expect(tokens.verify(token)).toEqual({
      deviceId: 'aa:bb:cc:dd:ee:ff',
      boundAt: 1_700_000_000_123,
    });
  });

  it('refuses tokens of another key, altered tokens and garbage', () => {
    const token = tokens.issue('dev-1', 5);
    expect(new HmacDeviceTokens(randomBytes(32)).verify(token)).toBeUndefined();
    expect(tokens.verify(token.replace('.5.', '.6.'))).toBeUndefined();
    const other = Buffer.from('dev-2').toString('base64url');
    expect(tokens.verify(token.replace(/^pdv1\.[^.]+/, `pdv1.${other}`))).toBeUndefined();
    for (const bad of ['', 'pdv1', 'pdv1.a.b.c', 'x'.repeat(10_000), 'pdv1.a.1.c.d'])
      expect(tokens.verify(bad)).toBeUndefined();
  });
});
