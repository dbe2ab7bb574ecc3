import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacCallbackTokens } from './hmac-callback-tokens.js';

const signingKey = () => generateKeyPairSync('ed25519').privateKey;

describe('HmacCallbackTokens', () => {
  it('verifies its own token for the same message and names the instance', () => {
    const tokens = HmacCallbackTokens.fromSigningKey(signingKey());
    const token = tokens.issue('01MSG', 'image-1.a:b');
    expect(tokens.verify(token, '01MSG')).toBe('image-1.a:b');
  });

  it('refuses a token of another message, an altered one, and anything malformed', () => {
    const tokens = HmacCallbackTokens.fromSigningKey(signingKey());
    const token = tokens.issue('01MSG', 'image-1');
    expect(tokens.verify(token, '01OTHER')).toBeUndefined();
    const [version, instance, mac] = token.split('.') as [string, string, string];
    const otherInstance = Buffer.from('image-2').toString('base64url');
    expect(tokens.verify(`${version}.${otherInstance}.${mac}`, '01MSG')).toBeUndefined();
    const flipped = `${mac.at(0) === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    expect(tokens.verify(`${version}.${instance}.${flipped}`, '01MSG')).toBeUndefined();
    expect(tokens.verify(`${version}.${instance}.${mac.slice(0, 10)}`, '01MSG')).toBeUndefined();
    for (const bad of ['', 'v1', 'v1..', `v2.${instance}.${mac}`, `${token}.x`, 'x'.repeat(600)])
      expect(tokens.verify(bad, '01MSG')).toBeUndefined();
  });

  it('derives the same key from the same signing key (a restart, another node), another from another', () => {
    const key = signingKey();
    const token = HmacCallbackTokens.fromSigningKey(key).issue('01MSG', 'i');
    expect(HmacCallbackTokens.fromSigningKey(key).verify(token, '01MSG')).toBe('i');
    expect(HmacCallbackTokens.fromSigningKey(signingKey()).verify(token, '01MSG')).toBeUndefined();
  });
});
