import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JoseAccessTokens } from './jose-access-tokens.js';

async function tokens(): Promise<JoseAccessTokens> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return JoseAccessTokens.load({ privateKeyPem: pem, keyFile: '/nonexistent/never-read' });
}

describe('JoseAccessTokens', () => {
  it('verifies a token again from memory, and still refuses any altered copy of it', async () => {
    const issuer = await tokens();
    const token = await issuer.sign({ userId: 'u1', sessionId: 's1', isGuest: false }, 60);
    const first = await issuer.verify(token);
    expect(first).toMatchObject({ userId: 'u1', sessionId: 's1', isGuest: false });
    expect(await issuer.verify(token)).toEqual(first);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    await expect(issuer.verify(`${header}.${payload}.${flipped}`)).rejects.toThrow(
      'The access token is invalid.',
    );
    const forged = Buffer.from(JSON.stringify({ sub: 'u2', sid: 's1', exp: 9e9 })).toString(
      'base64url',
    );
    await expect(issuer.verify(`${header}.${forged}.${signature}`)).rejects.toThrow(
      'The access token is invalid.',
    );
  });

  it('refuses a token signed by another key even after its own was verified', async () => {
    const a = await tokens();
    const b = await tokens();
    const token = await a.sign({ userId: 'u1', sessionId: 's1', isGuest: false }, 60);
    await a.verify(token);
    await expect(b.verify(token)).rejects.toThrow('The access token is invalid.');
  });

  it('refuses an expired token that was verified while it was valid', async () => {
    const issuer = await tokens();
    const token = await issuer.sign({ userId: 'u1', sessionId: 's1', isGuest: false }, 1);
    await issuer.verify(token);
    await new Promise((r) => setTimeout(r, 1_100));
    await expect(issuer.verify(token)).rejects.toThrow('The access token has expired.');
  });
});
