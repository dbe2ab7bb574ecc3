import { createHmac, type KeyObject } from 'node:crypto';
import type { DeviceTokens } from '../../ports/security.js';
import { deriveHmacKey, HMAC_KEY_BYTES, macMatches } from './hmac-key.js';

const PREFIX = 'pdv1';
/** HKDF's info: a key of its own, never the callback tokens' or the access tokens'. */
const HKDF_INFO = 'parley device token v1';
const MAX_TOKEN_LENGTH = 512;

/**
 * Device tokens as `pdv1.<device id, base64url>.<bound at, ms>.<HMAC-SHA256, base64url>`, with
 * a key derived from the access-token signing key: the same after a restart and on every node,
 * and nothing to store (the OTA endpoint hands the same token to its device every time).
 */
export class HmacDeviceTokens implements DeviceTokens {
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length < HMAC_KEY_BYTES) {
      throw new Error(`A device-token key needs ${HMAC_KEY_BYTES} bytes.`);
    }
    this.#key = Buffer.from(key);
  }

  static fromSigningKey(privateKey: KeyObject): HmacDeviceTokens {
    return new HmacDeviceTokens(deriveHmacKey(privateKey, HKDF_INFO));
  }

  issue(deviceId: string, boundAt: number): string {
    const device = Buffer.from(deviceId, 'utf8').toString('base64url');
    const mac = this.#mac(deviceId, boundAt).toString('base64url');
    return `${PREFIX}.${device}.${boundAt}.${mac}`;
  }

  verify(token: string): { deviceId: string; boundAt: number } | undefined {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
    const [prefix, device, at, mac, ...rest] = token.split('.');
    if (prefix !== PREFIX || device === undefined || at === undefined || mac === undefined)
      return undefined;
    if (rest.length > 0 || !/^\d{1,16}$/.test(at)) return undefined;
    const deviceId = Buffer.from(device, 'base64url').toString('utf8');
    const boundAt = Number(at);
    return macMatches(mac, this.#mac(deviceId, boundAt)) ? { deviceId, boundAt } : undefined;
  }

  /** True when the text has the shape of a device token (it may still be forged). */
  static looksLike(token: string): boolean {
    return token.startsWith(`${PREFIX}.`);
  }

  #mac(deviceId: string, boundAt: number): Buffer {
    return createHmac('sha256', this.#key).update(`${deviceId}\u0000${boundAt}`).digest();
  }
}
