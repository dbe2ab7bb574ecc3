import { setNewest } from '../../domain/bounded-map.js';
import type { AccessClaims } from '../../ports/security.js';

/**
 * Claims of access tokens whose signature was already checked, keyed by the whole token text
 * (signature included, so only a byte-identical token hits). A reconnect storm presents the
 * tokens its clients connected with a moment before: verifying an Ed25519 signature costs
 * about 100 µs of CPU, a lookup here well under one. Expiry is checked on every hit;
 * revocation is not this cache's business (the session is read on every authentication).
 * Bounded: past `max` entries the least recently used goes.
 */
export class VerifiedTokenCache {
  readonly #max: number;
  readonly #entries = new Map<string, AccessClaims>();

  constructor(max: number) {
    this.#max = max;
  }

  /** The token's claims if it was verified and has not expired by `now` (ms). */
  get(token: string, now: number): AccessClaims | undefined {
    const claims = this.#entries.get(token);
    if (claims === undefined) return undefined;
    this.#entries.delete(token);
    if (claims.expiresAt <= now) return undefined;
    this.#entries.set(token, claims);
    return claims;
  }

  set(token: string, claims: AccessClaims): void {
    setNewest(this.#entries, token, claims, this.#max);
  }

  get size(): number {
    return this.#entries.size;
  }
}
