import { invalidArgument, unauthenticated, appError } from '../../domain/errors.js';
import { DEVICE_ID_PATTERN, isSessionActive, type SessionRecord } from '../../domain/session.js';
import type { UserRecord } from '../../domain/user.js';
import type { Repositories } from '../../ports/store.js';
import type { AuthDeps, AuthOptions } from './auth-service.js';
import type { ClientInfo } from './auth-context.js';
import { announceSessionEnded } from './session-events.js';

/** What a login, a registration or a refresh hands back to the client. */
export interface IssuedTokens {
  readonly access_token: string;
  readonly refresh_token: string;
  /** Seconds until the access token expires. */
  readonly expires_in: number;
  readonly session_id: string;
  readonly device_id: string;
}

const USER_AGENT_MAX = 256;

/**
 * Opens sessions (one per device: a new login on a device ends the old session) and rotates
 * their refresh tokens. Each refresh token works once; presenting a used one is taken as theft
 * and ends the session, so neither the thief nor the victim keeps a working token.
 */
export class SessionIssuer {
  readonly #deps: AuthDeps;
  readonly #options: AuthOptions;

  constructor(deps: AuthDeps, options: AuthOptions) {
    this.#deps = deps;
    this.#options = options;
  }

  assertDeviceId(deviceId: string | undefined): void {
    if (deviceId !== undefined && !DEVICE_ID_PATTERN.test(deviceId)) {
      throw invalidArgument(
        'device_id must be 1–128 characters of letters, digits, "_", ".", ":" or "-".',
        'device_id',
      );
    }
  }

  /** Within the caller's transaction: ends the device's old session and opens a new one. */
  async open(
    tx: Repositories,
    user: UserRecord,
    deviceId: string | undefined,
    client: ClientInfo,
  ): Promise<IssuedTokens> {
    const now = this.#deps.clock.now();
    const device = deviceId ?? `device-${this.#deps.ids.next()}`;
    for (const old of await tx.sessions.listActiveForDevice(user.id, device, now)) {
      await tx.sessions.revoke(old.id, 'replaced', now);
      // Announced before the commit: at worst a connection of a session that stays open
      // closes and reconnects, which costs nothing.
      announceSessionEnded(this.#deps.bus, user.id, old.id, 'replaced');
    }
    const session: SessionRecord = {
      id: this.#deps.ids.next(),
      userId: user.id,
      deviceId: device,
      userAgent: client.userAgent.slice(0, USER_AGENT_MAX),
      ip: client.ip,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + this.#options.refreshTokenTtlSeconds * 1000,
      revokedAt: null,
      revokedReason: null,
    };
    await tx.sessions.insert(session);
    const refreshToken = await this.#newRefreshToken(tx, session.id, now);
    return this.#issue(session, user.isGuest, refreshToken);
  }

  async rotate(refreshToken: string): Promise<IssuedTokens> {
    const { store, secrets, clock } = this.#deps;
    const now = clock.now();
    const tokenHash = secrets.digest(refreshToken);
    const token = await store.refreshTokens.find(tokenHash);
    if (token === undefined)
      throw unauthenticated('The refresh token is invalid.', 'REFRESH_TOKEN_INVALID');
    const session = await store.sessions.findById(token.sessionId);
    if (session === undefined || !isSessionActive(session, now)) {
      throw unauthenticated(
        'The session of this refresh token has ended.',
        'REFRESH_TOKEN_INVALID',
      );
    }
    if (token.expiresAt <= now)
      throw unauthenticated('The refresh token has expired.', 'REFRESH_TOKEN_INVALID');
    const user = await store.users.findById(session.userId);
    if (user === undefined)
      throw unauthenticated(
        'The account of this session no longer exists.',
        'REFRESH_TOKEN_INVALID',
      );

    const next = await store.transaction(async (tx) => {
      if (!(await tx.refreshTokens.markUsed(tokenHash, now))) return undefined;
      const expiresAt = now + this.#options.refreshTokenTtlSeconds * 1000;
      await tx.sessions.touch(session.id, now, expiresAt);
      return this.#newRefreshToken(tx, session.id, now);
    });
    if (next === undefined) {
      await store.sessions.revoke(session.id, 'refresh_token_reused', now);
      announceSessionEnded(this.#deps.bus, session.userId, session.id, 'refresh_token_reused');
      throw appError(
        'REFRESH_TOKEN_REUSED',
        'This refresh token was already used; its session has been ended. Log in again.',
      );
    }
    return this.#issue(session, user.isGuest, next);
  }

  async #newRefreshToken(tx: Repositories, sessionId: string, now: number): Promise<string> {
    const token = this.#deps.secrets.generate();
    await tx.refreshTokens.insert({
      tokenHash: this.#deps.secrets.digest(token),
      sessionId,
      createdAt: now,
      expiresAt: now + this.#options.refreshTokenTtlSeconds * 1000,
      usedAt: null,
    });
    return token;
  }

  async #issue(
    session: SessionRecord,
    isGuest: boolean,
    refreshToken: string,
  ): Promise<IssuedTokens> {
    const ttl = this.#options.accessTokenTtlSeconds;
    const accessToken = await this.#deps.accessTokens.sign(
      { userId: session.userId, sessionId: session.id, isGuest },
      ttl,
    );
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: ttl,
      session_id: session.id,
      device_id: session.deviceId,
    };
  }
}
