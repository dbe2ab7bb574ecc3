import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ParleyHttpClient } from '@parley/client';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createParley, type ParleyServer } from '../../src/main.js';
import { createMysqlDatabase } from './mariadb-server.js';
import { createDatabase } from './postgres-server.js';

export type Engine = 'sqlite' | 'postgres' | 'mysql';
/**
 * The engines every e2e file runs on. MariaDB runs the messaging e2e file (the whole e2e suite
 * passes on it too: add 'mysql' here to run it).
 */
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

/** Where a test server keeps its state; reused across restarts. */
export interface TestStorage {
  readonly engine: Engine;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  dispose(): void;
}

export async function testStorage(engine: Engine): Promise<TestStorage> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  const databaseUrl = await databaseFor(engine);
  return {
    engine,
    dataDir,
    databaseUrl,
    dispose: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function databaseFor(engine: Engine): Promise<string | undefined> {
  if (engine === 'postgres') return createDatabase(inject('postgresUrl'));
  if (engine !== 'mysql') return undefined;
  // The mariadb:// spelling, so that the server's choice of engine by scheme is tested too.
  return (await createMysqlDatabase(inject('mariadbUrl'))).replace(/^mysql:/, 'mariadb:');
}

export interface TestServer {
  readonly parley: ParleyServer;
  readonly url: string;
  /** Every log line the server wrote, as text. */
  readonly logs: string[];
  client(accessToken?: string): ParleyHttpClient;
  /** A raw HTTP call: status, headers and parsed JSON body (if any). */
  fetch(path: string, init?: RequestInit): Promise<RawResponse>;
  stop(): Promise<void>;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A real Parley on 127.0.0.1, port 0, with cheap password hashing for speed. */
export async function startTestServer(
  storage: TestStorage,
  overrides: Record<string, unknown> = {},
): Promise<TestServer> {
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const config = loadConfig({
    env: {},
    overrides: {
      host: '127.0.0.1',
      port: 0,
      grpc_port: 0,
      data_dir: storage.dataDir,
      ...(storage.databaseUrl !== undefined && { database_url: storage.databaseUrl }),
      log_level: 'info',
      // Most tests message strangers; the DM-policy tests set 'friends' themselves.
      dm_policy: 'anyone',
      // Likewise most tests put strangers in groups; the group-add-policy tests set 'friends'.
      group_add_policy: 'anyone',
      argon2_memory_kib: 1024,
      argon2_iterations: 1,
      // The API alone, so that route lists are the API's: the web app's tests ask for it.
      web_dir: join(storage.dataDir, 'no-web-app'),
      ...overrides,
    },
  });
  const parley = await createParley(config, { logStream });
  await parley.start();
  const url = parley.url();
  return {
    parley,
    url,
    logs,
    client: (accessToken) =>
      new ParleyHttpClient({ baseUrl: url, ...(accessToken !== undefined && { accessToken }) }),
    async fetch(path, init) {
      const response = await fetch(`${url}${path}`, init);
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, headers: response.headers, body };
    },
    stop: () => parley.stop(),
  };
}

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
