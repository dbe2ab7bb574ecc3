/** Workers pushing over Socket.IO (namespace /worker, BRIDGE.md) with a real socket.io-client. */
import { describe, expect, it } from 'vitest';
import {
  ADMIN,
  createWorkerToken,
  grant,
  stats,
  syncPayload,
  workerMessage,
} from '../support/bridge-fixture.js';
import { e2eServer } from '../support/e2e-fixture.js';
import { SocketIoWorker } from '../support/socketio-worker.js';
import { ENGINES } from '../support/test-server.js';

const BODY_LIMIT = 256 * 1024;

describe.each(ENGINES)('Socket.IO /worker on %s', (engine) => {
  const e2e = e2eServer(engine, { admin_token: ADMIN, bridge_body_limit: BODY_LIMIT });
  const account = () => `sio-${engine}-${e2e.next()}`;
  const workers: SocketIoWorker[] = [];
  const connect = async (token: string | undefined, options = {}) => {
    const worker = await SocketIoWorker.connect(e2e.url, token, options);
    workers.push(worker);
    e2e.onClose(() => worker.close());
    return worker;
  };
  const ids = async (reader: { access_token: string }, accountId: string) =>
    (
      await e2e.get(`/api/im/messages?account_id=${accountId}&count=100`, reader)
    ).body.data.messages.map(
      (m: { msg_id: string; content: string }) => `${m.msg_id}:${m.content}`,
    );

  it('acks snapshots and deltas after the commit; replays, late older snapshots, deletion by absence', async () => {
    const accountId = account();
    const { token } = await createWorkerToken(e2e.server);
    const worker = await connect(token);
    const reader = await e2e.account('reader');
    await grant(e2e.server, ADMIN, accountId, reader.user.user_id);
    const m = (id: string, text: string) =>
      workerMessage(accountId, id, text, 1_000 + Number(id.slice(1)));

    const first = await worker.sync(
      syncPayload(accountId, 100, { messages: [m('m1', 'a'), m('m2', 'b')] }),
      'req-1',
    );
    expect(first).toEqual({
      type: 'worker:data:sync:ack',
      version: 'v1',
      payload: {
        success: true,
        accountId,
        timestamp: expect.any(Number),
        stats: { messages: stats(2, 0, 0, 0) },
      },
      timestamp: expect.any(Number),
      requestId: 'req-1',
    });
    // The ack came after the commit: the data is readable as soon as it arrives.
    expect(await ids(reader, accountId)).toEqual(['m1:a', 'm2:b']);

    const replay = await worker.sync(
      syncPayload(accountId, 100, { messages: [m('m1', 'a'), m('m2', 'b')] }),
    );
    expect(replay.payload.stats).toEqual({ messages: stats(0, 0, 0, 2) });

    const delta = await worker.sync(
      syncPayload(accountId, 150, { messages: [m('m3', 'c')] }, 'delta'),
    );
    expect(delta.payload.stats).toEqual({ messages: stats(1, 0, 0, 0) });

    // A newer snapshot: m1 changed, m2 absent (deleted), m3 kept, m4 new.
    const newer = await worker.sync(
      syncPayload(accountId, 300, { messages: [m('m1', 'a2'), m('m3', 'c'), m('m4', 'd')] }),
    );
    expect(newer.payload.stats).toEqual({ messages: stats(1, 1, 1, 1) });
    expect(await ids(reader, accountId)).toEqual(['m1:a2', 'm3:c', 'm4:d']);

    // An older snapshot arriving late changes nothing and deletes nothing.
    const late = await worker.sync(
      syncPayload(accountId, 200, { messages: [m('m1', 'old'), m('m2', 'b')] }),
    );
    expect(late.payload.success).toBe(true);
    expect(late.payload.stats.messages.inserted + late.payload.stats.messages.updated).toBe(0);
    expect(late.payload.stats.messages.deleted).toBe(0);
    expect(await ids(reader, accountId)).toEqual(['m1:a2', 'm3:c', 'm4:d']);

    // A Socket.IO acknowledgement callback gets the same envelope.
    const acked = (await worker.emitWithAck('message', {
      type: 'worker:data:sync',
      version: 'v1',
      payload: syncPayload(accountId, 400, { messages: [m('m5', 'e')] }, 'delta'),
      timestamp: Date.now(),
      requestId: 42,
    })) as { type: string; requestId: number; payload: { stats: unknown } };
    expect(acked).toMatchObject({ type: 'worker:data:sync:ack', requestId: 42 });
    expect(acked.payload.stats).toEqual({ messages: stats(1, 0, 0, 0) });
  });

  it('works over the Authorization header and over WebSocket alone', async () => {
    const { token } = await createWorkerToken(e2e.server);
    for (const options of [{ header: true }, { transports: ['websocket'] }]) {
      const accountId = account();
      const worker = await connect(token, options);
      const ack = await worker.sync(
        syncPayload(accountId, 1, { messages: [workerMessage(accountId, 'x', 'y')] }),
      );
      expect(ack.payload).toMatchObject({ success: true, accountId });
      worker.close();
    }
  });

  it('refuses bad input with a clear error, stores nothing, and keeps the connection', async () => {
    const accountId = account();
    const owner = await createWorkerToken(e2e.server, 'owner');
    const other = await createWorkerToken(e2e.server, 'other');
    const worker = await connect(owner.token);
    const intruder = await connect(other.token);
    expect(
      (await worker.sync(syncPayload(accountId, 1, { messages: [] }, 'delta'))).payload.success,
    ).toBe(true);

    const refused = async (w: SocketIoWorker, payload: unknown, code: string, field?: string) => {
      const answer = await w.sync(payload);
      expect(answer.type).toBe('worker:data:sync:ack');
      expect(answer.payload).toMatchObject({
        success: false,
        error: { code, message: expect.any(String) },
      });
      if (field !== undefined) expect(answer.payload.error.field).toBe(field);
    };
    const good = workerMessage(accountId, 'ok', 'fine');
    await refused(
      worker,
      syncPayload(accountId, 2, { messages: [good, { ...good, id: undefined }] }),
      'INVALID_ARGUMENT',
      'snapshot.data.messages[1].id',
    );
    await refused(
      worker,
      syncPayload(accountId, 2, { messages: [{ ...good, content: 5 }] }),
      'INVALID_ARGUMENT',
      'snapshot.data.messages[0].content',
    );
    await refused(
      worker,
      syncPayload(accountId, 2, { messages: {} as unknown[] }),
      'INVALID_ARGUMENT',
      'snapshot.data.messages',
    );
    await refused(
      worker,
      { ...syncPayload(accountId, 2, {}), snapshot: { data: { videos: [] } } },
      'INVALID_ARGUMENT',
      'snapshot.data.videos',
    );
    await refused(worker, 'not an object', 'INVALID_ARGUMENT');
    await refused(intruder, syncPayload(accountId, 2, { messages: [good] }), 'PERMISSION_DENIED');

    // Not an envelope at all: answered, not dropped.
    const junk = await worker.send([1, 2, 3], null);
    expect(junk).toMatchObject({
      type: 'worker:error',
      payload: { success: false, error: { code: 'INVALID_ARGUMENT' } },
    });
    const wrongVersion = await worker.send({
      type: 'worker:data:sync',
      version: 'v9',
      payload: {},
      requestId: 'v',
    });
    expect(wrongVersion.payload.error.code).toBe('INVALID_ARGUMENT');
    // The original's other events: acknowledged or ignored.
    expect(await worker.emitWithAck('join_room', { room: 'x' })).toEqual({ success: true });
    expect(
      await worker.emitWithAck('message', { type: 'worker:heartbeat', version: 'v1' }),
    ).toEqual({ success: true });
    worker.socket.emit('worker:register', { id: 'w1' });

    const reader = await e2e.account('reader');
    await grant(e2e.server, ADMIN, accountId, reader.user.user_id);
    expect(await ids(reader, accountId)).toEqual([]);
    expect(worker.socket.connected).toBe(true);

    // A token revoked while connected: its next payload is refused.
    const revoked = await e2e.del(`/v1/admin/worker-tokens/${owner.id}`, { access_token: ADMIN });
    expect(revoked.status).toBe(204);
    await refused(worker, syncPayload(accountId, 3, { messages: [good] }), 'UNAUTHENTICATED');
    expect(await ids(reader, accountId)).toEqual([]);
  });

  it('refuses forged tokens and the main namespace at connect', async () => {
    await expect(SocketIoWorker.connect(e2e.url, 'pwk_forged')).rejects.toThrow(/worker token/);
    await expect(SocketIoWorker.connect(e2e.url, undefined)).rejects.toThrow(/worker token/);
    const { token } = await createWorkerToken(e2e.server);
    await expect(SocketIoWorker.connect(e2e.url, token, { namespace: '' })).rejects.toThrow(
      /\/worker/,
    );
  });

  it('closes a connection whose payload is over the limit, stores nothing, and takes the next', async () => {
    const accountId = account();
    const { token } = await createWorkerToken(e2e.server);
    const reader = await e2e.account('reader');
    await grant(e2e.server, ADMIN, accountId, reader.user.user_id);
    for (const transports of [['websocket'], ['polling']] as const) {
      const worker = await connect(token, { transports: [...transports] });
      const huge = workerMessage(accountId, 'big', 'x'.repeat(BODY_LIMIT + 1));
      await expect(worker.sync(syncPayload(accountId, 1, { messages: [huge] }))).rejects.toThrow(
        /disconnected/,
      );
    }
    const again = await connect(token);
    const ack = await again.sync(
      syncPayload(accountId, 2, { messages: [workerMessage(accountId, 's', 'small')] }),
    );
    expect(ack.payload.success).toBe(true);
    expect(await ids(reader, accountId)).toEqual(['s:small']);
    expect((await e2e.get('/health')).status).toBe(200);
  });
});
