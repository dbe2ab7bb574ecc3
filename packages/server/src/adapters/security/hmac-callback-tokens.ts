import { createHmac, type KeyObject } from 'node:crypto';
import type { CallbackTokens } from '../../ports/extensions.js';
import { deriveHmacKey, HMAC_KEY_BYTES, macMatches } from './hmac-key.js';

const VERSION = 'v1';
/** HKDF's info: keys derived for other purposes from the same material never coincide. */
const HKDF_INFO = 'parley ext callback token v1';
/** Longer than any token this class issues (instance ids are at most 128 characters). */
const MAX_TOKEN_LENGTH = 512;

/**
 * Callback tokens as `v1.<instance id, base64url>.<HMAC-SHA256 of msg id and instance id,
 * base64url>`. The key is derived from the access-token signing key (see `fromSigningKey`), so
 * it survives a restart and is the same on every node that shares that key.
 */
export class HmacCallbackTokens implements CallbackTokens {
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length < HMAC_KEY_BYTES) {
      throw new Error(`A callback-token key needs ${HMAC_KEY_BYTES} bytes.`);
    }
    this.#key = Buffer.from(key);
  }

  /** The key by HKDF-SHA256 over the Ed25519 signing key's PKCS#8 bytes. */
  static fromSigningKey(privateKey: KeyObject): HmacCallbackTokens {
    return new HmacCallbackTokens(deriveHmacKey(privateKey, HKDF_INFO));
  }

  issue(msgId: string, instanceId: string): string {
    const instance = Buffer.from(instanceId, 'utf8').toString('base64url');
    return `${VERSION}.${instance}.${this.#mac(msgId, instanceId).toString('base64url')}`;
  }

  verify(token: string, msgId: string): string | undefined {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
    const [version, instance, mac, ...rest] = token.split('.');
    if (version !== VERSION || instance === undefined || mac === undefined || rest.length > 0)
      return undefined;
    const instanceId = Buffer.from(instance, 'base64url').toString('utf8');
    return macMatches(mac, this.#mac(msgId, instanceId)) ? instanceId : undefined;
  }

  #mac(msgId: string, instanceId: string): Buffer {
    return createHmac('sha256', this.#key).update(`${msgId}\u0000${instanceId}`).digest();
  }
}
