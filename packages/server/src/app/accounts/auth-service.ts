import { rateLimited, unauthenticated, appError } from '../../domain/errors.js';
import { isSessionActive, toPublicSession, type PublicSession } from '../../domain/session.js';
import {
  assertValidPassword,
  assertValidUsername,
  normalizeNickname,
  toPublicUser,
  USERNAME_PATTERN,
  usernameKey,
  type PublicUser,
  type UserRecord,
} from '../../domain/user.js';
import type { RateLimiter, RateRule, Reservation } from '../../ports/rate-limiter.js';
import type { AccessTokens, PasswordHasher, SecretTokens } from '../../ports/security.js';
import type { Bus } from '../../ports/bus.js';
import type { Store } from '../../ports/store.js';
import type { Clock, Ids } from '../../ports/system.js';
import type { AuthContext, ClientInfo } from './auth-context.js';
import { announceSessionEnded } from './session-events.js';
import { SessionIssuer, type IssuedTokens } from './session-issuer.js';

/** Sessions listed to their user: the newest, so the answer stays bounded however many devices. */
export const SESSIONS_LISTED = 200;

export interface AuthOptions {
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** Failed logins per username. */
  readonly loginFailures: RateRule;
  /** Failed logins per client address, whatever the usernames. */
  readonly loginFailuresPerAddress: RateRule;
  /** Registrations and guest logins per client address. */
  readonly signups: RateRule;
}

export interface AuthDeps {
  readonly store: Store;
  readonly hasher: PasswordHasher;
  readonly accessTokens: AccessTokens;
  readonly secrets: SecretTokens;
  readonly limiter: RateLimiter;
  readonly clock: Clock;
  readonly ids: Ids;
  /** Where ended sessions are announced, so that their live connections close. */
  readonly bus?: Bus;
}

export interface AuthResult extends IssuedTokens {
  readonly user: PublicUser;
}

export interface RegisterInput {
  readonly username: string;
  readonly password: string;
  readonly nickname?: string | undefined;
  readonly deviceId?: string | undefined;
}

export interface TokenInfo {
  readonly user_id: string;
  readonly session_id: string;
  readonly is_guest: boolean;
  readonly expires_at: number;
}

/** Registration, login, guest login, refresh rotation, logout and the sessions of a user. */
export class AuthService {
  readonly #deps: AuthDeps;
  readonly #options: AuthOptions;
  readonly #sessions: SessionIssuer;
  #decoyHash: Promise<string> | undefined;

  constructor(deps: AuthDeps, options: AuthOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#sessions = new SessionIssuer(deps, options);
  }

  async register(input: RegisterInput, client: ClientInfo): Promise<AuthResult> {
    assertValidUsername(input.username);
    assertValidPassword(input.password);
    const nickname = normalizeNickname(input.nickname, input.username);
    this.#sessions.assertDeviceId(input.deviceId);
    await this.#limitSignups(client);
    const now = this.#deps.clock.now();
    const user: UserRecord = {
      id: this.#deps.ids.next(),
      username: input.username,
      passwordHash: await this.#deps.hasher.hash(input.password),
      nickname,
      avatarUrl: '',
      bio: '',
      isGuest: false,
      createdAt: now,
      updatedAt: now,
    };
    const tokens = await this.#deps.store.transaction(async (tx) => {
      await tx.users.insert(user);
      return this.#sessions.open(tx, user, input.deviceId, client);
    });
    return { user: toPublicUser(user), ...tokens };
  }

  async login(
    input: { username: string; password: string; deviceId?: string | undefined },
    client: ClientInfo,
  ): Promise<AuthResult> {
    this.#sessions.assertDeviceId(input.deviceId);
    // Counted before the password is checked, so a burst cannot outrun the limit.
    const reservations = await this.#reserveLoginAttempt(input.username, client);
    const releaseAll = () => Promise.all(reservations.map((r) => r.release()));
    const user = await this.#checkPassword(input.username, input.password).catch(
      async (err: unknown) => {
        await releaseAll(); // the store failed: that was no failed login
        throw err;
      },
    );
    if (user === undefined) throw appError('WRONG_CREDENTIALS', 'Wrong username or password.');
    // A successful login is not a failure: it gives its reserved attempts back.
    await releaseAll();
    const tokens = await this.#deps.store.transaction((tx) =>
      this.#sessions.open(tx, user, input.deviceId, client),
    );
    return { user: toPublicUser(user), ...tokens };
  }

  /** The user whose password this is, or undefined. */
  async #checkPassword(username: string, password: string): Promise<UserRecord | undefined> {
    // A name that breaks the username rules cannot belong to an account: no need to look it up.
    const user = USERNAME_PATTERN.test(username)
      ? await this.#deps.store.users.findByUsername(username)
      : undefined;
    // A missing user costs the same hashing work as a wrong password, so timing tells nothing.
    const hash = user?.passwordHash ?? (await this.#decoy());
    const matches = await this.#deps.hasher.verify(hash, password);
    return user !== undefined && user.passwordHash !== null && matches ? user : undefined;
  }

  /** One failed-login attempt per username and per client address, reserved ahead. */
  async #reserveLoginAttempt(username: string, client: ClientInfo): Promise<Reservation[]> {
    const { limiter } = this.#deps;
    const byName = await limiter.reserve(
      `login-failures:${usernameKey(username)}`,
      this.#options.loginFailures,
    );
    if (byName.limited) {
      throw rateLimited('Too many failed logins; try again later.', byName.retryAfterMs);
    }
    const byAddress = await limiter.reserve(
      `login-failures-address:${client.ip}`,
      this.#options.loginFailuresPerAddress,
    );
    if (byAddress.limited) {
      await byName.release();
      throw rateLimited(
        'Too many failed logins from this address; try again later.',
        byAddress.retryAfterMs,
      );
    }
    return [byName, byAddress];
  }

  async guest(
    input: { nickname?: string | undefined; deviceId?: string | undefined },
    client: ClientInfo,
  ): Promise<AuthResult> {
    this.#sessions.assertDeviceId(input.deviceId);
    await this.#limitSignups(client);
    const now = this.#deps.clock.now();
    const id = this.#deps.ids.next();
    const username = `guest-${id.toLowerCase()}`;
    const user: UserRecord = {
      id,
      username,
      passwordHash: null,
      nickname: normalizeNickname(input.nickname, `Guest ${id.slice(-6)}`),
      avatarUrl: '',
      bio: '',
      isGuest: true,
      createdAt: now,
      updatedAt: now,
    };
    const tokens = await this.#deps.store.transaction(async (tx) => {
      await tx.users.insert(user);
      return this.#sessions.open(tx, user, input.deviceId, client);
    });
    return { user: toPublicUser(user), ...tokens };
  }

  /** Rotates a refresh token; a token used twice ends its session. */
  refresh(refreshToken: string): Promise<IssuedTokens> {
    return this.#sessions.rotate(refreshToken);
  }

  /** Verifies an access token and that its session is still active. */
  async authenticate(accessToken: string): Promise<AuthContext> {
    const claims = await this.#deps.accessTokens.verify(accessToken);
    const session = await this.#deps.store.sessions.findById(claims.sessionId);
    if (
      session === undefined ||
      session.userId !== claims.userId ||
      !isSessionActive(session, this.#deps.clock.now())
    ) {
      throw unauthenticated('The session of this access token has ended.', 'SESSION_ENDED');
    }
    return claims;
  }

  /** AuthService.VerifyToken of the seeds: what a valid token says, or UNAUTHENTICATED. */
  async verify(accessToken: string): Promise<TokenInfo> {
    const auth = await this.authenticate(accessToken);
    return {
      user_id: auth.userId,
      session_id: auth.sessionId,
      is_guest: auth.isGuest,
      expires_at: auth.expiresAt,
    };
  }

  async logout(auth: AuthContext): Promise<void> {
    await this.#deps.store.sessions.revoke(auth.sessionId, 'logout', this.#deps.clock.now());
    announceSessionEnded(this.#deps.bus, auth.userId, auth.sessionId, 'logout');
  }

  async listSessions(auth: AuthContext): Promise<PublicSession[]> {
    const sessions = await this.#deps.store.sessions.listActive(
      auth.userId,
      this.#deps.clock.now(),
      SESSIONS_LISTED,
    );
    return sessions.map((s) => toPublicSession(s, auth.sessionId));
  }

  /** Logs out one of the caller's devices. Another user's session is as good as missing. */
  async revokeSession(auth: AuthContext, sessionId: string): Promise<void> {
    const now = this.#deps.clock.now();
    const session = await this.#deps.store.sessions.findById(sessionId);
    if (session === undefined || session.userId !== auth.userId || !isSessionActive(session, now)) {
      throw appError('SESSION_NOT_FOUND', 'No active session with that id.');
    }
    await this.#deps.store.sessions.revoke(sessionId, 'revoked_by_user', now);
    announceSessionEnded(this.#deps.bus, auth.userId, sessionId, 'revoked_by_user');
  }

  async #limitSignups(client: ClientInfo): Promise<void> {
    const state = await this.#deps.limiter.hit(`signups:${client.ip}`, this.#options.signups);
    if (state.limited) {
      throw rateLimited(
        'Too many registrations from this address; try again later.',
        state.retryAfterMs,
      );
    }
  }

  #decoy(): Promise<string> {
    this.#decoyHash ??= this.#deps.hasher.hash(this.#deps.secrets.generate());
    return this.#decoyHash;
  }
}
