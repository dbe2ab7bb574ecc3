import { ParleyError } from './errors.js';
import type { AuthResult, ErrorCode, Session, TokenInfo, Tokens, User, UserPage } from './types.js';

export interface HttpClientOptions {
  /** The server's base URL, for example http://localhost:8080. */
  readonly baseUrl: string;
  /** Access token sent as a bearer token; set after login with `setAccessToken`. */
  readonly accessToken?: string;
  readonly fetch?: typeof fetch;
}

/** The REST API of Parley, typed. Every method throws ParleyError for an error answer. */
export class ParleyHttpClient {
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  #accessToken: string | undefined;

  constructor(options: HttpClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#accessToken = options.accessToken;
  }

  setAccessToken(token: string | undefined): void {
    this.#accessToken = token;
  }

  register(body: {
    username: string;
    password: string;
    nickname?: string;
    device_id?: string;
  }): Promise<AuthResult> {
    return this.#signIn('/v1/auth/register', body);
  }

  login(body: { username: string; password: string; device_id?: string }): Promise<AuthResult> {
    return this.#signIn('/v1/auth/login', body);
  }

  guest(body: { nickname?: string; device_id?: string } = {}): Promise<AuthResult> {
    return this.#signIn('/v1/auth/guest', body);
  }

  async refresh(refreshToken: string): Promise<Tokens> {
    const tokens = await this.request<Tokens>('POST', '/v1/auth/refresh', {
      refresh_token: refreshToken,
    });
    this.#accessToken = tokens.access_token;
    return tokens;
  }

  verify(accessToken: string): Promise<TokenInfo> {
    return this.request('POST', '/v1/auth/verify', { access_token: accessToken });
  }

  logout(): Promise<void> {
    return this.request('POST', '/v1/auth/logout');
  }

  async sessions(): Promise<Session[]> {
    return (await this.request<{ sessions: Session[] }>('GET', '/v1/auth/sessions')).sessions;
  }

  revokeSession(sessionId: string): Promise<void> {
    return this.request('DELETE', `/v1/auth/sessions/${encodeURIComponent(sessionId)}`);
  }

  async me(): Promise<User> {
    return (await this.request<{ user: User }>('GET', '/v1/users/me')).user;
  }

  async updateMe(patch: { nickname?: string; avatar_url?: string; bio?: string }): Promise<User> {
    return (await this.request<{ user: User }>('PATCH', '/v1/users/me', patch)).user;
  }

  async user(userId: string): Promise<User> {
    const path = `/v1/users/${encodeURIComponent(userId)}`;
    return (await this.request<{ user: User }>('GET', path)).user;
  }

  searchUsers(query: string, options: { limit?: number; cursor?: string } = {}): Promise<UserPage> {
    const params = new URLSearchParams({ query });
    if (options.limit !== undefined) params.set('limit', String(options.limit));
    if (options.cursor !== undefined) params.set('cursor', options.cursor);
    return this.request('GET', `/v1/users?${params.toString()}`);
  }

  /** Any call of the API; resolves with the parsed body (undefined for 204). */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#accessToken !== undefined) headers.authorization = `Bearer ${this.#accessToken}`;
    const response = await this.#fetch(`${this.#baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) throw toError(response.status, parsed);
    return parsed as T;
  }

  async #signIn(path: string, body: object): Promise<AuthResult> {
    const result = await this.request<AuthResult>('POST', path, body);
    this.#accessToken = result.access_token;
    return result;
  }
}

function toError(status: number, body: unknown): ParleyError {
  const error = (
    body as {
      error?: { code?: string; reason?: string; message?: string; trace_id?: string };
    }
  )?.error;
  return new ParleyError(
    (error?.code ?? 'INTERNAL') as ErrorCode,
    error?.message ?? `HTTP ${status}`,
    status,
    error?.trace_id,
    error?.reason,
  );
}
