/** Sessions: one per device of a user; each holds a chain of rotating refresh tokens. */

export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly userAgent: string;
  readonly ip: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly expiresAt: number;
  /** Set when the session ends: logout, a newer login on the device, or a reused refresh token. */
  readonly revokedAt: number | null;
  readonly revokedReason: RevokeReason | null;
}

export type RevokeReason = 'logout' | 'replaced' | 'revoked_by_user' | 'refresh_token_reused';

export interface PublicSession {
  readonly session_id: string;
  readonly device_id: string;
  readonly user_agent: string;
  readonly ip: string;
  readonly created_at: number;
  readonly last_used_at: number;
  readonly expires_at: number;
  readonly current: boolean;
}

export const isSessionActive = (session: SessionRecord, now: number): boolean =>
  session.revokedAt === null && session.expiresAt > now;

export const toPublicSession = (session: SessionRecord, currentId: string): PublicSession => ({
  session_id: session.id,
  device_id: session.deviceId,
  user_agent: session.userAgent,
  ip: session.ip,
  created_at: session.createdAt,
  last_used_at: session.lastUsedAt,
  expires_at: session.expiresAt,
  current: session.id === currentId,
});

export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
