import { hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';

/** Bytes of every HMAC key Parley derives. */
export const HMAC_KEY_BYTES = 32;

/**
 * A key of its own for `info`, by HKDF-SHA256 over the Ed25519 signing key's PKCS#8 bytes: the
 * same after a restart and on every node that shares the signing key, and never the key of
 * another `info`.
 */
export function deriveHmacKey(privateKey: KeyObject, info: string): Buffer {
  const material = privateKey.export({ format: 'der', type: 'pkcs8' });
  return Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), info, HMAC_KEY_BYTES));
}

/** Whether a MAC given as base64url is `expected`, compared in constant time. */
export function macMatches(given: string, expected: Buffer): boolean {
  const bytes = Buffer.from(given, 'base64url');
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}
