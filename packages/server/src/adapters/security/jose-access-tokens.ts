import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, jwtVerify, SignJWT } from 'jose';
import { unauthenticated } from '../../domain/errors.js';
import type { AccessClaims, AccessTokens } from '../../ports/security.js';
import { loadSigningKey, type SigningKeySource } from './signing-key.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const ISSUER = 'parley';
const AUDIENCE = 'parley';
/** Verified tokens remembered (about 0.5 KiB each): a reconnect storm of this many clients. */
const VERIFIED_CACHE_MAX = 20_000;

/** EdDSA (Ed25519) JWT access tokens, signed and verified with jose. */
export class JoseAccessTokens implements AccessTokens {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #keyId: string;
  readonly #verified = new VerifiedTokenCache(VERIFIED_CACHE_MAX);

  private constructor(privateKey: KeyObject, keyId: string) {
    this.#privateKey = privateKey;
    this.#publicKey = createPublicKey(privateKey);
    this.#keyId = keyId;
  }

  /** Loads the configured key, or the one in the key file, or makes and saves a new one. */
  static async load(source: SigningKeySource): Promise<JoseAccessTokens> {
    return JoseAccessTokens.fromKey(await loadSigningKey(source));
  }

  /** Tokens signed with `key`, an Ed25519 private key (see `loadSigningKey`). */
  static async fromKey(key: KeyObject): Promise<JoseAccessTokens> {
    const keyId = await calculateJwkThumbprint(await exportJWK(createPublicKey(key)));
    return new JoseAccessTokens(key, keyId);
  }

  async sign(claims: Omit<AccessClaims, 'expiresAt'>, ttlSeconds: number): Promise<string> {
    return new SignJWT({ sid: claims.sessionId, guest: claims.isGuest })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.#keyId, typ: 'at+jwt' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.#privateKey);
  }

  async verify(token: string): Promise<AccessClaims> {
    const known = this.#verified.get(token, Date.now());
    if (known !== undefined) return known;
    const claims = await this.#verifySignature(token);
    this.#verified.set(token, claims);
    return claims;
  }

  async #verifySignature(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.#publicKey, {
        algorithms: ['EdDSA'],
        issuer: ISSUER,
        audience: AUDIENCE,
        typ: 'at+jwt',
        requiredClaims: ['sub', 'exp', 'sid'],
      });
      const { sub, sid, guest, exp } = payload;
      if (typeof sub !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') {
        throw new Error('claims of the wrong type');
      }
      return { userId: sub, sessionId: sid, isGuest: guest === true, expiresAt: exp * 1000 };
    } catch (err) {
      const expired = (err as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw unauthenticated(
        expired ? 'The access token has expired.' : 'The access token is invalid.',
      );
    }
  }
}
