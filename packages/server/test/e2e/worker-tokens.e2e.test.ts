import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectError } from '../support/expect-error.js';
import { CLI, run } from '../support/process.js';
import { startTestServer, testStorage } from '../support/test-server.js';

const TOKEN = 'an-operator-token-0f-some-length';

interface TokenInfo {
  id: string;
  name: string;
  created_at: number;
  revoked_at: number | null;
}

describe('/v1/admin/worker-tokens on a real Parley server', () => {
  it('creates a token shown once, lists it, revokes it once; only for the admin token', async () => {
    const storage = await testStorage('sqlite');
    const { parley } = await startTestServer(storage, { admin_token: TOKEN });
    const call = async (method: string, path: string, body?: unknown, token = TOKEN) => {
      const res = await fetch(`${parley.url()}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: text === '' ? null : JSON.parse(text),
      };
    };
    try {
      const created = await call('POST', '/v1/admin/worker-tokens', { name: 'crawler-1' });
      expect(created.status).toBe(201);
      expect(created.body.token).toMatch(/^pwk_[A-Za-z0-9_-]{43}$/);
      expect(created.body.worker_token).toEqual({
        id: expect.any(String),
        name: 'crawler-1',
        created_at: expect.any(Number),
        revoked_at: null,
      });
      const id = created.body.worker_token.id as string;

      const listed = await call('GET', '/v1/admin/worker-tokens');
      expect(listed.status).toBe(200);
      expect(listed.body.worker_tokens.map((t: TokenInfo) => t.id)).toEqual([id]);
      expect(JSON.stringify(listed.body)).not.toContain(created.body.token);

      expect((await call('DELETE', `/v1/admin/worker-tokens/${id}`)).status).toBe(204);
      expectError(await call('DELETE', `/v1/admin/worker-tokens/${id}`), 404, 'NOT_FOUND');
      const after = await call('GET', '/v1/admin/worker-tokens');
      expect(after.body.worker_tokens[0].revoked_at).toEqual(expect.any(Number));

      expectError(
        await call('POST', '/v1/admin/worker-tokens', { name: '' }),
        400,
        'INVALID_ARGUMENT',
      );
      expectError(await call('POST', '/v1/admin/worker-tokens', {}), 400, 'INVALID_ARGUMENT');
      expectError(
        await call('GET', '/v1/admin/worker-tokens', undefined, 'wrong'),
        401,
        'UNAUTHENTICATED',
      );
      expectError(
        await call('GET', '/v1/admin/worker-tokens', undefined, created.body.token),
        401,
        'UNAUTHENTICATED',
      );
    } finally {
      await parley.stop();
      storage.dispose();
    }
  });

  it('answers 404 while PARLEY_ADMIN_TOKEN is unset', async () => {
    const storage = await testStorage('sqlite');
    const { parley } = await startTestServer(storage, {});
    try {
      const res = await fetch(`${parley.url()}/v1/admin/worker-tokens`);
      expectError(
        { status: res.status, headers: res.headers, body: await res.json() },
        404,
        'NOT_FOUND',
      );
    } finally {
      await parley.stop();
      storage.dispose();
    }
  });
});

describe('parley worker-token', () => {
  it('creates, lists and revokes tokens in the configured database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-worker-token-'));
    const parley = async (...args: string[]) => {
      const proc = run('node', [CLI, 'worker-token', ...args], { PARLEY_DATA_DIR: dataDir });
      const code = await proc.exited;
      return { code, output: proc.output() };
    };
    try {
      const created = await parley('create', '--name', 'crawler-1');
      expect(created.code).toBe(0);
      const token = /^(pwk_\S+)$/m.exec(created.output)?.[1];
      expect(token).toMatch(/^pwk_[A-Za-z0-9_-]{43}$/);
      const id = /Worker token (\S+) \(crawler-1\) created/.exec(created.output)?.[1] ?? '';
      expect(id).not.toBe('');

      const listed = await parley('list');
      expect(listed.code).toBe(0);
      expect(listed.output).toMatch(new RegExp(`^${id}  crawler-1  created \\S+  live$`, 'm'));
      expect(listed.output).not.toContain(token);

      expect(await parley('revoke', id)).toMatchObject({ code: 0 });
      expect((await parley('list')).output).toMatch(/ {2}revoked \d{4}-/);
      const again = await parley('revoke', id);
      expect(again.code).toBe(1);
      expect(again.output).toContain(`No live worker token has the id ${id}.`);

      expect((await parley('create')).code).toBe(2);
      expect((await parley('rotate')).code).toBe(2);
      const blank = await parley('create', '--name', ' ');
      expect(blank.code).toBe(2);
      expect(blank.output).toContain('name of 1 to 100');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
