import {
  ParleyError,
  ParleyHttpClient,
  randomId,
  type AuthResult,
  type User,
} from '@parley/client';

const SESSION_KEY = 'parley.session';
const DEVICE_KEY = 'parley.device';
/** Refresh the access token when it has less than this left. */
const REFRESH_MARGIN_MS = 60_000;

/** What survives a reload: the tokens of this browser's session. */
export interface StoredSession {
  access_token: string;
  refresh_token: string;
  /** When the access token expires (ms since the epoch). */
  expires_at: number;
  session_id: string;
  device_id: string;
  user: User;
}

/** This browser's device id: one session per device, so a new login replaces the last one. */
export function deviceId(storage: Storage = localStorage): string {
  let id = storage.getItem(DEVICE_KEY);
  if (id === null) {
    id = `web-${randomId()}`;
    storage.setItem(DEVICE_KEY, id);
  }
  return id;
}

export function loadSession(storage: Storage = localStorage): StoredSession | undefined {
  try {
    const raw = storage.getItem(SESSION_KEY);
    return raw === null ? undefined : (JSON.parse(raw) as StoredSession);
  } catch {
    return undefined; // a damaged entry is as good as none: log in again
  }
}

export function toStored(result: AuthResult): StoredSession {
  return {
    access_token: result.access_token,
    refresh_token: result.refresh_token,
    expires_at: Date.now() + result.expires_in * 1000,
    session_id: result.session_id,
    device_id: result.device_id,
    user: result.user,
  };
}

/**
 * The signed-in session: keeps the access token fresh (refresh tokens work once, so one
 * refresh at a time) and makes REST calls with it, retrying once after a refresh on 401.
 */
export class Session {
  readonly http: ParleyHttpClient;
  #stored: StoredSession;
  #refreshing: Promise<string> | undefined;
  readonly #storage: Storage;
  readonly #onEnded: (message: string) => void;

  constructor(
    baseUrl: string,
    stored: StoredSession,
    onEnded: (message: string) => void,
    storage: Storage = localStorage,
  ) {
    this.http = new ParleyHttpClient({ baseUrl });
    this.#stored = stored;
    this.#storage = storage;
    this.#onEnded = onEnded;
    this.#save();
  }

  get user(): User {
    return this.#stored.user;
  }

  get sessionId(): string {
    return this.#stored.session_id;
  }

  setUser(user: User): void {
    this.#stored = { ...this.#stored, user };
    this.#save();
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async accessToken(): Promise<string> {
    if (this.#stored.expires_at - Date.now() > REFRESH_MARGIN_MS) return this.#stored.access_token;
    return this.refresh();
  }

  refresh(): Promise<string> {
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** One REST call; a 401 refreshes once and tries again, a second 401 ends the session. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    this.http.setAccessToken(await this.accessToken());
    try {
      return await this.http.request<T>(method, path, body);
    } catch (error) {
      if (!(error instanceof ParleyError) || error.code !== 'UNAUTHENTICATED') throw error;
      this.http.setAccessToken(await this.refresh());
      return this.http.request<T>(method, path, body);
    }
  }

  /** Forgets the session here (the server's is ended by the caller when it can). */
  clear(): void {
    this.#storage.removeItem(SESSION_KEY);
  }

  async #doRefresh(): Promise<string> {
    // Another tab of this browser may have refreshed already: its token is the live one.
    const latest = loadSession(this.#storage);
    if (
      latest?.session_id === this.#stored.session_id &&
      latest.expires_at > this.#stored.expires_at
    ) {
      this.#stored = latest;
      if (latest.expires_at - Date.now() > REFRESH_MARGIN_MS) return latest.access_token;
    }
    try {
      const tokens = await this.http.refresh(this.#stored.refresh_token);
      this.#stored = {
        ...this.#stored,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        expires_at: Date.now() + tokens.expires_in * 1000,
      };
      this.#save();
      return tokens.access_token;
    } catch (error) {
      if (error instanceof ParleyError && error.status === 401) {
        this.clear();
        this.#onEnded('Your session has ended. Please sign in again.');
      }
      throw error;
    }
  }

  #save(): void {
    this.#storage.setItem(SESSION_KEY, JSON.stringify(this.#stored));
  }
}

/** A message for a person from any error. */
export function describeError(error: unknown): string {
  if (error instanceof ParleyError) {
    if (error.code === 'UNAVAILABLE' && error.status === 0) {
      return 'Cannot reach the server. Check your connection.';
    }
    return error.message;
  }
  if (error instanceof TypeError) return 'Cannot reach the server. Check your connection.';
  return error instanceof Error ? error.message : String(error);
}
