import { describe, expect, it } from 'vitest';
import {
  ENGINES,
  json,
  startTestServer,
  testStorage,
  type TestServer,
} from '../support/test-server.js';

const ADMIN = 'an-operator-token-0f-some-length';

const message = (id: string, content: string, createdAt = 1_000) => ({
  id,
  messageId: id,
  accountId: 'acc-1',
  platform: 'douyin',
  conversationId: 'conv-1',
  senderId: 'u-9',
  type: 'text',
  content,
  direction: 'inbound',
  createdAt,
  updatedAt: createdAt,
  someFieldTheWorkerAdded: { kept: true },
});

const payload = (
  timestamp: number,
  messages: unknown[],
  mode?: 'snapshot' | 'delta',
  extra: Record<string, unknown> = {},
) => ({
  accountId: 'acc-1',
  platform: 'douyin',
  ...(mode !== undefined && { mode }),
  snapshot: { platform: 'douyin', data: { messages, ...extra } },
  timestamp,
});

async function workerToken(server: TestServer): Promise<{ id: string; token: string }> {
  const res = await server.fetch(
    '/v1/admin/worker-tokens',
    json({ name: 'crawler' }, { authorization: `Bearer ${ADMIN}` }),
  );
  expect(res.status).toBe(201);
  return { id: res.body.worker_token.id, token: res.body.token };
}

const push = (server: TestServer, token: string, body: unknown) =>
  server.fetch('/v1/bridge/sync', json(body, { authorization: `Bearer ${token}` }));

const counts = (inserted: number, updated: number, deleted: number, unchanged: number) => ({
  messages: { inserted, updated, deleted, unchanged },
});

describe.each(ENGINES)('POST /v1/bridge/sync on %s', (engine) => {
  it('stores snapshots and deltas, ignores replays and late older snapshots, survives a restart', async () => {
    const storage = await testStorage(engine);
    let server = await startTestServer(storage, { admin_token: ADMIN });
    try {
      const { token } = await workerToken(server);
      const first = await push(
        server,
        token,
        payload(100, [message('m1', 'a'), message('m2', 'b')]),
      );
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        success: true,
        accountId: 'acc-1',
        timestamp: expect.any(Number),
        stats: counts(2, 0, 0, 0),
      });
      // The same payload again (a replay) changes nothing.
      expect(
        (await push(server, token, payload(100, [message('m1', 'a'), message('m2', 'b')]))).body
          .stats,
      ).toEqual(counts(0, 0, 0, 2));
      // A newer snapshot: m1 changed, m2 gone (deleted by absence), m3 new.
      const newer = payload(300, [message('m1', 'a2'), message('m3', 'c')]);
      expect((await push(server, token, newer)).body.stats).toEqual(counts(1, 1, 1, 0));
      // An older snapshot arriving late undoes nothing.
      expect(
        (await push(server, token, payload(200, [message('m1', 'a'), message('m2', 'b')]))).body
          .stats,
      ).toEqual(counts(0, 0, 0, 2));
      // A delta upserts only.
      expect(
        (await push(server, token, payload(400, [message('m4', 'd')], 'delta'))).body.stats,
      ).toEqual(counts(1, 0, 0, 0));

      await server.stop();
      server = await startTestServer(storage, { admin_token: ADMIN });
      // After the restart the token and the data are there: the snapshot of 300 is a replay,
      // and m4, written by the newer delta, is not deleted by its absence from it.
      expect((await push(server, token, newer)).body.stats).toEqual(counts(0, 0, 0, 2));
    } finally {
      await server.stop();
      storage.dispose();
    }
  }, 120_000);
});

describe('POST /v1/bridge/sync refuses bad input whole', () => {
  it('answers each bad payload with a clear error, stores nothing and keeps serving', async () => {
    const storage = await testStorage('sqlite');
    const server = await startTestServer(storage, { admin_token: ADMIN, bridge_body_limit: 4096 });
    try {
      const { id, token } = await workerToken(server);
      const good = [message('m1', 'a'), message('m2', 'b')];
      const refused = async (body: unknown, status: number, field?: string, auth = token) => {
        const res = await push(server, auth, body);
        expect(res.status, JSON.stringify(body).slice(0, 200)).toBe(status);
        expect(res.body).toEqual({
          success: false,
          error: expect.objectContaining({
            code: expect.any(String),
            message: expect.any(String),
            trace_id: expect.any(String),
          }),
        });
        if (field !== undefined) expect(res.body.error.field).toBe(field);
        return res.body.error.message as string;
      };

      expect(await refused(payload(1, good), 401, undefined, 'pwk_forged')).toContain(
        'worker token',
      );
      await refused(payload(1, good), 401, undefined, ADMIN);
      await refused({ ...payload(1, good), accountId: undefined }, 400, 'accountId');
      await refused({ ...payload(1, good), timestamp: '1' }, 400, 'timestamp');
      await refused({ ...payload(1, good), mode: 'replace' }, 400, 'mode');
      await refused(
        payload(1, [...good, { ...message('m3', 'c'), id: undefined }]),
        400,
        'snapshot.data.messages[2].id',
      );
      await refused(
        payload(1, [...good, { ...message('m3', 'c'), content: 7 }]),
        400,
        'snapshot.data.messages[2].content',
      );
      await refused(
        payload(1, [...good, { ...message('m3', 'c'), isRecalled: 'no' }]),
        400,
        'snapshot.data.messages[2].isRecalled',
      );
      await refused(payload(1, [...good, 'not an item']), 400, 'snapshot.data.messages[2]');
      await refused(
        payload(1, [...good, { ...message('m3', 'c'), accountId: 'other' }]),
        400,
        'snapshot.data.messages[2].accountId',
      );
      expect(
        await refused(payload(1, good, undefined, { tweets: [] }), 400, 'snapshot.data.tweets'),
      ).toContain('not a kind');
      await refused(
        { ...payload(1, good), snapshot: { platform: 'douyin', data: { messages: {} } } },
        400,
        'snapshot.data.messages',
      );
      await refused({ ...payload(1, good), snapshot: [] }, 400, 'snapshot');
      await refused([payload(1, good)], 400, 'payload');
      const big = payload(1, [...good, message('m3', 'x'.repeat(5000))]);
      expect(await refused(big, 413)).toContain('4096-byte limit');
      const broken = await server.fetch('/v1/bridge/sync', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"accountId": ',
      });
      expect(broken.status).toBe(400);
      expect(broken.body.success).toBe(false);

      // Nothing of the refused payloads was stored: all of `good` is new now.
      const ok = await push(server, token, payload(1, good));
      expect(ok.body.stats).toEqual(counts(2, 0, 0, 0));

      // Another worker token may not push for an account the first one owns...
      const other = await workerToken(server);
      const denied = await refused(
        payload(5, [message('m9', 'z')], 'delta'),
        403,
        undefined,
        other.token,
      );
      expect(denied).toContain('belongs to another worker token');
      // ...nor push items it does not own into it: m9 was not stored.
      expect(
        (await push(server, token, payload(6, [message('m9', 'z')], 'delta'))).body.stats,
      ).toEqual(counts(1, 0, 0, 0));
      // A revoked token is refused from the next request on; its accounts pass to the next.
      expect(
        (
          await server.fetch(`/v1/admin/worker-tokens/${id}`, {
            method: 'DELETE',
            headers: { authorization: `Bearer ${ADMIN}` },
          })
        ).status,
      ).toBe(204);
      await refused(payload(7, good), 401, undefined, token);
      expect(
        (await push(server, other.token, payload(8, [message('m9', 'z')], 'delta'))).status,
      ).toBe(200);
    } finally {
      await server.stop();
      storage.dispose();
    }
  }, 120_000);
});
