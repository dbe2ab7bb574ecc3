/** Secrets: password hashing, access tokens and random tokens. */

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or an unreadable hash; never throws for bad input. */
  verify(hash: string, password: string): Promise<boolean>;
}

export interface AccessClaims {
  readonly userId: string;
  readonly sessionId: string;
  readonly isGuest: boolean;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

/**
 * Signs and verifies short-lived access tokens. `verify` checks signature, issuer and expiry
 * only; whether the session is still active is the caller's question.
 */
export interface AccessTokens {
  sign(claims: Omit<AccessClaims, 'expiresAt'>, ttlSeconds: number): Promise<string>;
  /** Fails with UNAUTHENTICATED for a forged, malformed or expired token. */
  verify(token: string): Promise<AccessClaims>;
}

export interface SecretTokens {
  /** A new unguessable token, URL-safe. */
  generate(): string;
  /** A stable digest of a token, for storing and looking it up. */
  digest(token: string): string;
}

/**
 * Device tokens (DEVICES.md, Activation): what a bound device connects with. A token names a
 * device and the moment it was bound, so that binding it again (to another owner) retires the
 * tokens issued before.
 */
export interface DeviceTokens {
  issue(deviceId: string, boundAt: number): string;
  /** What a genuine token names; undefined for anything else (never throws). */
  verify(token: string): { readonly deviceId: string; readonly boundAt: number } | undefined;
}
