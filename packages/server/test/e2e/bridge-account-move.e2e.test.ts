/**
 * An operator moves a bridged account from one live worker token to another
 * (PUT /v1/admin/bridge-accounts/:platform/:account_id/owner, `parley worker-token assign`):
 * the old worker is refused from its next push, over HTTP and Socket.IO, the new one accepted.
 */
import { describe, expect, it } from 'vitest';
import {
  ADMIN,
  createWorkerToken,
  grant,
  pushHttp,
  syncPayload,
  workerMessage,
} from '../support/bridge-fixture.js';
import { e2eServer } from '../support/e2e-fixture.js';
import { expectError } from '../support/expect-error.js';
import { CLI, run } from '../support/process.js';
import { SocketIoWorker } from '../support/socketio-worker.js';
import { ENGINES, json, type RawResponse, type TestServer } from '../support/test-server.js';

const admin = { authorization: `Bearer ${ADMIN}` };

/** The sync route's ownership refusal: 403 in its error shape (`success: false`). */
function expectNotOwner(res: RawResponse): void {
  expect(res.status).toBe(403);
  expect(res.body).toEqual({
    success: false,
    error: expect.objectContaining({
      code: 'PERMISSION_DENIED',
      message: expect.stringContaining('belongs to another worker token'),
      trace_id: expect.any(String),
    }),
  });
}

const ownerPath = (platform: string, accountId: string) =>
  `/v1/admin/bridge-accounts/${encodeURIComponent(platform)}/${encodeURIComponent(accountId)}/owner`;

const assign = (server: TestServer, accountId: string, body: unknown, headers = admin) =>
  server.fetch(ownerPath('douyin', accountId), { ...json(body, headers), method: 'PUT' });

interface AccountInfo {
  platform: string;
  account_id: string;
  owner_token_id: string | null;
  owner_token_name: string | null;
  owner_token_revoked_at: number | null;
  last_sync_at: number;
  last_timestamp: number;
}

/** Every account the list shows, walking its pages. */
async function listAll(server: TestServer, limit = 100): Promise<AccountInfo[]> {
  const all: AccountInfo[] = [];
  for (let cursor: string | null = ''; cursor !== null;) {
    const query: string = `?limit=${limit}${cursor === '' ? '' : `&cursor=${cursor}`}`;
    const res = await server.fetch(`/v1/admin/bridge-accounts${query}`, { headers: admin });
    expect(res.status).toBe(200);
    expect(res.body.bridge_accounts.length).toBeLessThanOrEqual(limit);
    all.push(...res.body.bridge_accounts);
    cursor = res.body.next_cursor;
  }
  return all;
}

describe.each(ENGINES)('moving a bridge account between worker tokens on %s', (engine) => {
  const e2e = e2eServer(engine, { admin_token: ADMIN });
  const account = () => `move-${engine}-${e2e.next()}`;
  const connect = async (token: string) => {
    const worker = await SocketIoWorker.connect(e2e.url, token);
    e2e.onClose(() => worker.close());
    return worker;
  };

  it('refuses the old owner from its next push, over HTTP and Socket.IO, and takes the new one', async () => {
    const accountId = account();
    const before = await createWorkerToken(e2e.server, 'crawler-1');
    const after = await createWorkerToken(e2e.server, 'crawler-2');
    const reader = await e2e.account('reader');
    await grant(e2e.server, ADMIN, accountId, reader.user.user_id);
    const push = (token: string, timestamp: number, id: string) =>
      pushHttp(
        e2e.server,
        token,
        syncPayload(
          accountId,
          timestamp,
          { messages: [workerMessage(accountId, id, id)] },
          'delta',
        ),
      );
    const pushSocket = async (worker: SocketIoWorker, timestamp: number, id: string) =>
      (
        await worker.sync(
          syncPayload(
            accountId,
            timestamp,
            { messages: [workerMessage(accountId, id, id)] },
            'delta',
          ),
        )
      ).payload;
    const stored = async () =>
      (
        await e2e.get(`/api/im/messages?account_id=${accountId}&count=100`, reader)
      ).body.data.messages.map((m: { msg_id: string }) => m.msg_id);

    // Connected before the move: what the socket knows of its token must not matter.
    const oldSocket = await connect(before.token);
    const newSocket = await connect(after.token);
    expect((await push(before.token, 100, 'm1')).status).toBe(200);
    expectNotOwner(await push(after.token, 101, 'x1'));

    const listed = (await listAll(e2e.server)).find((a) => a.account_id === accountId);
    expect(listed).toEqual({
      platform: 'douyin',
      account_id: accountId,
      owner_token_id: before.id,
      owner_token_name: 'crawler-1',
      owner_token_revoked_at: null,
      last_sync_at: expect.any(Number),
      last_timestamp: 100,
    });

    const moved = await assign(e2e.server, accountId, { worker_token_id: after.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({
      platform: 'douyin',
      account_id: accountId,
      owner_token_id: after.id,
      previous_owner_token_id: before.id,
    });

    // The old owner: refused with the ownership error on both transports, nothing stored.
    expectNotOwner(await push(before.token, 200, 'x2'));
    expect(await pushSocket(oldSocket, 201, 'x3')).toMatchObject({
      success: false,
      error: { code: 'PERMISSION_DENIED' },
    });
    // The new owner: accepted on both.
    expect((await push(after.token, 202, 'm2')).status).toBe(200);
    expect(await pushSocket(newSocket, 203, 'm3')).toMatchObject({ success: true, accountId });
    expect(await stored()).toEqual(['m1', 'm2', 'm3']);

    // Again to the same token: nothing changes, and the answer says so.
    const again = await assign(e2e.server, accountId, { worker_token_id: after.id });
    expect(again.status).toBe(200);
    expect(again.body.previous_owner_token_id).toBe(after.id);
    expect((await push(after.token, 204, 'm4')).status).toBe(200);
    expectNotOwner(await push(before.token, 205, 'x4'));

    expect((await listAll(e2e.server, 1)).find((a) => a.account_id === accountId)).toMatchObject({
      owner_token_id: after.id,
      owner_token_name: 'crawler-2',
      last_timestamp: 204,
    });
  });

  it('answers unknown accounts, dead tokens and bad input in the admin error shape', async () => {
    const accountId = account();
    const owner = await createWorkerToken(e2e.server, 'owner');
    const spare = await createWorkerToken(e2e.server, 'spare');
    /** An empty delta from the owner: the account exists, and the owner may still push. */
    const pushAsOwner = async (id: string, at: number) =>
      (await pushHttp(e2e.server, owner.token, syncPayload(id, at, { messages: [] }, 'delta')))
        .status;
    expect(await pushAsOwner(accountId, 1)).toBe(200);

    // Never synced: 404, whatever the token; the account is not created by asking.
    const unknown = await assign(e2e.server, `${accountId}-never`, { worker_token_id: spare.id });
    expectError(unknown, 404, 'NOT_FOUND');
    expect(unknown.body.error.reason).toBe('BRIDGE_ACCOUNT_NOT_FOUND');
    expect((await listAll(e2e.server)).some((a) => a.account_id === `${accountId}-never`)).toBe(
      false,
    );
    const otherPlatform = await e2e.server.fetch(ownerPath('kuaishou', accountId), {
      ...json({ worker_token_id: spare.id }, admin),
      method: 'PUT',
    });
    expectError(otherPlatform, 404, 'NOT_FOUND');

    // A token that does not exist, or is revoked: 404 too, and the owner stays.
    const revoked = await createWorkerToken(e2e.server, 'revoked');
    await e2e.del(`/v1/admin/worker-tokens/${revoked.id}`, { access_token: ADMIN });
    for (const id of ['01NOSUCHTOKEN', revoked.id]) {
      const dead = await assign(e2e.server, accountId, { worker_token_id: id });
      expectError(dead, 404, 'NOT_FOUND');
      expect(dead.body.error).toMatchObject({
        reason: 'WORKER_TOKEN_NOT_FOUND',
        field: 'worker_token_id',
      });
    }
    expect(await pushAsOwner(accountId, 2)).toBe(200);

    // Bad bodies and paths: 400.
    for (const body of [{}, { worker_token_id: '' }, { worker_token_id: 7 }, [], 'x']) {
      expectError(await assign(e2e.server, accountId, body), 400, 'INVALID_ARGUMENT');
    }
    expectError(
      await assign(e2e.server, accountId, { worker_token_id: 'x'.repeat(192) }),
      400,
      'INVALID_ARGUMENT',
    );
    // Path parameters over 191 characters (the longest account id): 414, as on every route.
    const longAccount = await e2e.server.fetch(ownerPath('douyin', 'a'.repeat(192)), {
      ...json({ worker_token_id: spare.id }, admin),
      method: 'PUT',
    });
    expectError(longAccount, 414, 'INVALID_ARGUMENT');
    // An id of exactly 191 characters, non-ASCII ones percent-encoded, moves over REST.
    const longest = `${accountId}-`.padEnd(191, '号');
    expect(await pushAsOwner(longest, 1)).toBe(200);
    const movedLongest = await assign(e2e.server, longest, { worker_token_id: spare.id });
    expect([movedLongest.status, movedLongest.body]).toEqual([
      200,
      {
        platform: 'douyin',
        account_id: longest,
        owner_token_id: spare.id,
        previous_owner_token_id: owner.id,
      },
    ]);
    for (const query of ['?cursor=not-a-cursor', '?limit=0', '?limit=101', '?limit=x']) {
      expectError(
        await e2e.server.fetch(`/v1/admin/bridge-accounts${query}`, { headers: admin }),
        400,
        'INVALID_ARGUMENT',
      );
    }

    // Only for the admin token: not a worker's, not a user's, not a wrong one.
    const user = await e2e.account('user');
    for (const bearer of [owner.token, user.access_token, 'wrong']) {
      const headers = { authorization: `Bearer ${bearer}` };
      expectError(
        await assign(e2e.server, accountId, { worker_token_id: spare.id }, headers),
        401,
        'UNAUTHENTICATED',
      );
      expectError(
        await e2e.server.fetch('/v1/admin/bridge-accounts', { headers }),
        401,
        'UNAUTHENTICATED',
      );
    }
    expect((await listAll(e2e.server)).find((a) => a.account_id === accountId)).toMatchObject({
      owner_token_id: owner.id,
    });
  });
});

describe('parley worker-token assign', () => {
  const e2e = e2eServer('sqlite', { admin_token: ADMIN });

  it('moves an account of a running server from the command line', async () => {
    const accountId = `cli-${e2e.next()}`;
    const before = await createWorkerToken(e2e.server, 'crawler-1');
    const after = await createWorkerToken(e2e.server, 'crawler-2');
    const push = (token: string, timestamp: number) =>
      pushHttp(e2e.server, token, syncPayload(accountId, timestamp, { messages: [] }, 'delta'));
    const parley = async (...args: string[]) => {
      const proc = run('node', [CLI, 'worker-token', 'assign', ...args], {
        PARLEY_DATA_DIR: e2e.storage.dataDir,
      });
      const code = await proc.exited;
      return { code, output: proc.output() };
    };
    const target = (tokenId: string, account = accountId) => [
      '--platform',
      'douyin',
      '--account',
      account,
      '--token-id',
      tokenId,
    ];
    expect((await push(before.token, 1)).status).toBe(200);

    // The server's ingest (on SQLite, a thread of its own) sees what another process wrote.
    const moved = await parley(...target(after.id));
    expect(moved).toMatchObject({ code: 0 });
    expect(moved.output).toContain(
      `Account douyin/${accountId} moved to worker token ${after.id} (from ${before.id}).`,
    );
    expectNotOwner(await push(before.token, 2));
    expect((await push(after.token, 3)).status).toBe(200);

    const again = await parley(...target(after.id));
    expect(again.code).toBe(0);
    expect(again.output).toContain(`already belongs to worker token ${after.id}`);

    const unknown = await parley(...target(after.id, `${accountId}-never`));
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain(`No worker has synced the account douyin/${accountId}-never.`);
    const dead = await parley(...target('01NOSUCHTOKEN'));
    expect(dead.code).toBe(1);
    expect(dead.output).toContain('No live worker token has the id 01NOSUCHTOKEN.');
    expect((await parley('--platform', 'douyin', '--account', accountId)).code).toBe(2);
    expect((await parley(...target(after.id), 'extra')).code).toBe(2);
    expect((await push(after.token, 4)).status).toBe(200);
  }, 120_000);
});
