import type { AuthResult } from '@parley/client';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  json,
  startTestServer,
  testStorage,
  type Engine,
  type RawResponse,
  type TestServer,
  type TestStorage,
} from './test-server.js';
import { WsTestClient } from './ws-test-client.js';

export const PASSWORD = 'correct horse battery';

/** Anyone holding an access token: a registered account, a login, a guest. */
export type Who = { readonly access_token: string };

/** The shared setup of an e2e file: one server, its accounts, raw calls and sockets. */
export interface E2eServer {
  readonly engine: Engine;
  /** The running server (only inside tests and hooks: it starts in beforeAll). */
  readonly server: TestServer;
  readonly url: string;
  /** Where the server keeps its state (its data directory, its database). */
  readonly storage: TestStorage;
  /** A fresh number, unique in this fixture: for usernames, client_msg_ids and the like. */
  next(): number;
  /** Registers a new account named `<engine><prefix><n>`. */
  account(prefix?: string, deviceId?: string): Promise<AuthResult>;
  /** Logs an existing account in again, on another device. */
  login(who: AuthResult, deviceId: string): Promise<AuthResult>;
  bearer(who: Who): Record<string, string>;
  get(path: string, who?: Who): Promise<RawResponse>;
  /** A JSON POST; `body` may be a value or raw text. */
  post(path: string, who?: Who, body?: unknown): Promise<RawResponse>;
  patch(path: string, who?: Who, body?: unknown): Promise<RawResponse>;
  /** A DELETE, with a JSON body only when one is given. */
  del(path: string, who?: Who, body?: unknown): Promise<RawResponse>;
  /** Makes `a` and `b` friends: a request from `a`, accepted by `b`. */
  befriend(a: AuthResult, b: AuthResult): Promise<void>;
  /** A WebSocket client that is ready; closed when the fixture ends. */
  connect(who: Who): Promise<WsTestClient>;
  /** Runs these when the fixture ends, before the server stops (last given, first run). */
  onClose(...cleanups: (() => void | Promise<void>)[]): void;
}

type Cleanup = () => void | Promise<void>;
type Started = { readonly storage: TestStorage; readonly server: TestServer };

async function start(
  engine: Engine,
  overrides: Record<string, unknown>,
  cleanups: Cleanup[],
): Promise<Started> {
  const storage = await testStorage(engine);
  cleanups.push(() => storage.dispose());
  const server = await startTestServer(storage, overrides);
  cleanups.push(() => server.stop());
  return { storage, server };
}

/** Runs the cleanups, last registered first, and empties the list. */
async function runCleanups(cleanups: Cleanup[]): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/**
 * Starts a test server for the enclosing describe (beforeAll) and stops it, its sockets and
 * its storage afterwards (afterAll). Call it once per server the describe needs.
 */
export function e2eServer(engine: Engine, overrides: Record<string, unknown> = {}): E2eServer {
  const cleanups: Cleanup[] = [];
  let started: Started | undefined;
  beforeAll(async () => {
    started = await start(engine, overrides, cleanups);
  });
  afterAll(() => runCleanups(cleanups));
  return fixture(engine, cleanups, () => {
    if (started === undefined) throw new Error('the e2e server starts in beforeAll');
    return started;
  });
}

/**
 * For tests whose server config is known only inside the test (an extension's address, a
 * second server): `start` runs in a test, and all it started, with what `onClose` was given, is
 * stopped after that test (afterEach), last started first.
 */
export function e2eServersPerTest(): {
  start(engine: Engine, overrides?: Record<string, unknown>): Promise<E2eServer>;
  /** Another server on the storage of `previous`, as after a restart (stop `previous` first). */
  startAgain(previous: E2eServer, overrides?: Record<string, unknown>): Promise<E2eServer>;
  onClose(...cleanups: Cleanup[]): void;
} {
  const cleanups: Cleanup[] = [];
  afterEach(() => runCleanups(cleanups));
  return {
    async start(engine, overrides = {}) {
      const started = await start(engine, overrides, cleanups);
      return fixture(engine, cleanups, () => started);
    },
    async startAgain(previous, overrides = {}) {
      const { storage } = previous;
      const server = await startTestServer(storage, overrides);
      cleanups.push(() => server.stop());
      return fixture(previous.engine, cleanups, () => ({ storage, server }));
    },
    onClose: (...more) => void cleanups.push(...more),
  };
}

function fixture(engine: Engine, cleanups: Cleanup[], started: () => Started): E2eServer {
  let n = 0;
  const server = () => started().server;
  const bearer = (who: Who) => ({ authorization: `Bearer ${who.access_token}` });
  const headers = (who: Who | undefined) => (who === undefined ? {} : bearer(who));
  const withBody = (method: string, who: Who | undefined, body: unknown): RequestInit => ({
    ...json(body, headers(who)),
    method,
  });

  const post = (path: string, who?: Who, body: unknown = {}) =>
    server().fetch(path, withBody('POST', who, body));

  return {
    engine,
    get server() {
      return server();
    },
    get url() {
      return server().url;
    },
    get storage() {
      return started().storage;
    },
    next: () => n++,
    account: (prefix = 'u', deviceId) =>
      server()
        .client()
        .register({
          username: `${engine}${prefix}${n++}`,
          password: PASSWORD,
          ...(deviceId !== undefined && { device_id: deviceId }),
        }),
    login: (who, deviceId) =>
      server()
        .client()
        .login({ username: who.user.username, password: PASSWORD, device_id: deviceId }),
    bearer,
    get: (path, who) => server().fetch(path, { headers: headers(who) }),
    post,
    patch: (path, who, body = {}) => server().fetch(path, withBody('PATCH', who, body)),
    del: (path, who, body) =>
      server().fetch(
        path,
        body === undefined
          ? { method: 'DELETE', headers: headers(who) }
          : withBody('DELETE', who, body),
      ),
    async befriend(a, b) {
      const sent = await post('/v1/friends/requests', a, { user_id: b.user.user_id });
      expect(
        (await post(`/v1/friends/requests/${sent.body.request.request_id}/accept`, b)).status,
      ).toBe(200);
    },
    async connect(who) {
      const client = await WsTestClient.connect(server().url, who.access_token);
      cleanups.push(() => client.close());
      return client;
    },
    onClose: (...more) => void cleanups.push(...more),
  };
}
