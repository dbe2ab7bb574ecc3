/** Who is calling: the result of authenticating an access token. */
export interface AuthContext {
  readonly userId: string;
  readonly sessionId: string;
  readonly isGuest: boolean;
  /** When the access token expires, in milliseconds since the epoch. */
  readonly expiresAt: number;
}

/** Where a request comes from, recorded on the session it opens. */
export interface ClientInfo {
  readonly ip: string;
  readonly userAgent: string;
}
