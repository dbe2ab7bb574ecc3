import { createHmac, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { CallbackTokens } from '../../ports/extensions.js';

const VERSION = 'v1';
/** HKDF's info: keys derived for other purposes from the same material never coincide. */
const HKDF_INFO = 'parley ext callback token v1';
const KEY_BYTES = 32;
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
    if (key.length < KEY_BYTES) throw new Error(`A callback-token key needs ${KEY_BYTES} bytes.`);
    this.#key = Buffer.from(key);
  }

  /** The key by HKDF-SHA256 over the Ed25519 signing key's PKCS#8 bytes. */
  static fromSigningKey(privateKey: KeyObject): HmacCallbackTokens {
    const material = privateKey.export({ format: 'der', type: 'pkcs8' });
    return new HmacCallbackTokens(
      Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), HKDF_INFO, KEY_BYTES)),
    );
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
    const given = Buffer.from(mac, 'base64url');
    const expected = this.#mac(msgId, instanceId);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return instanceId;
  }

  #mac(msgId: string, instanceId: string): Buffer {
    return createHmac('sha256', this.#key).update(`${msgId}\u0000${instanceId}`).digest();
  }
}
