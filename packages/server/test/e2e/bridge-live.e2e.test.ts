/** Live bridge updates on /v1/ws (BRIDGE.md, "Live"): bridge.subscribe and bridge.updated. */
import { describe, expect, it } from 'vitest';
import {
  ADMIN,
  createWorkerToken,
  grant,
  pushHttp,
  syncPayload,
  withdraw,
  workerMessage,
} from '../support/bridge-fixture.js';
import { e2eServer } from '../support/e2e-fixture.js';
import { SocketIoWorker } from '../support/socketio-worker.js';
import type { Frame } from '../support/ws-test-client.js';

describe('bridge.subscribe and bridge.updated (sqlite)', () => {
  const e2e = e2eServer('sqlite', { admin_token: ADMIN });

  it('sends granted subscribers the changed items after the commit, in the read shapes', async () => {
    const accountId = `live-${e2e.next()}`;
    const { token } = await createWorkerToken(e2e.server);
    const reader = await e2e.account('reader');
    const stranger = await e2e.account('stranger');
    await grant(e2e.server, ADMIN, accountId, reader.user.user_id);
    const ws = await e2e.connect(reader);
    const other = await e2e.connect(stranger);

    expect(await ws.call('bridge.subscribe', { account_id: accountId })).toEqual({
      account_id: accountId,
    });
    const denied = await other.request('bridge.subscribe', { account_id: accountId });
    expect(denied).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    const bad = await ws.request('bridge.subscribe', { account: accountId });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });

    const worker = await SocketIoWorker.connect(e2e.url, token);
    e2e.onClose(() => worker.close());
    const ack = await worker.sync(
      syncPayload(accountId, 10, {
        messages: [workerMessage(accountId, 'm1', 'hello', 1_000)],
        comments: [{ id: 'c1', commentId: 'c1', contentId: 'p1', content: 'nice', createdAt: 5 }],
      }),
    );
    expect(ack.payload.success).toBe(true);
    const messages = await ws.next(
      (f) => f.event === 'bridge.updated' && f.data.kind === 'message',
    );
    expect(messages.data).toEqual({
      account_id: accountId,
      kind: 'message',
      items: [
        expect.objectContaining({
          msg_id: 'm1',
          conversation_id: 'conv-1',
          content: 'hello',
          create_time: 1_000,
          is_deleted: false,
          platform: 'douyin',
        }),
      ],
    });
    const comments = await ws.next(
      (f) => f.event === 'bridge.updated' && f.data.kind === 'comment',
    );
    expect(comments.data.items).toEqual([
      expect.objectContaining({ discussion_id: 'c1', content: 'nice', is_deleted: false }),
    ]);

    // Deletion by absence reaches subscribers as an item marked deleted.
    await pushHttp(e2e.server, token, syncPayload(accountId, 20, { messages: [] }));
    const deleted = await ws.next(
      (f) => f.event === 'bridge.updated' && f.data.items[0]?.is_deleted === true,
    );
    expect(deleted.data.items).toEqual([
      expect.objectContaining({ msg_id: 'm1', is_deleted: true }),
    ]);

    // A replay changes nothing and sends nothing; after unsubscribing, nothing more comes.
    const before = ws.events('bridge.updated').length;
    await pushHttp(e2e.server, token, syncPayload(accountId, 20, { messages: [] }));
    await ws.call('bridge.unsubscribe', { account_id: accountId });
    await pushHttp(
      e2e.server,
      token,
      syncPayload(accountId, 30, { messages: [workerMessage(accountId, 'm2', 'x')] }, 'delta'),
    );
    // The ping's reply comes after any event published before it on this node.
    await ws.call('ping');
    expect(ws.events('bridge.updated').length).toBe(before);
    expect(other.events('bridge.updated')).toEqual([]);
  });

  it("ends every live subscription of a user whose grant is withdrawn, and no one else's", async () => {
    const [accountId, kept] = [`live-${e2e.next()}`, `live-${e2e.next()}`];
    const { token } = await createWorkerToken(e2e.server);
    const reader = await e2e.account('reader');
    const peer = await e2e.account('peer');
    for (const [account, who] of [
      [accountId, reader],
      [kept, reader],
      [accountId, peer],
    ] as const) {
      await grant(e2e.server, ADMIN, account, who.user.user_id);
    }
    const [phone, laptop, peerWs] = await Promise.all([
      e2e.connect(reader),
      e2e.connect(reader),
      e2e.connect(peer),
    ]);
    for (const ws of [phone, laptop, peerWs]) {
      await ws.call('bridge.subscribe', { account_id: accountId });
    }
    await phone.call('bridge.subscribe', { account_id: kept });
    const push = (account: string, id: string, at: number) =>
      pushHttp(
        e2e.server,
        token,
        syncPayload(account, at, { messages: [workerMessage(account, id, id)] }, 'delta'),
      );
    const updated = (account: string, id: string) => (f: Frame) =>
      f.event === 'bridge.updated' &&
      f.data.account_id === account &&
      f.data.items.some((i: { msg_id: string }) => i.msg_id === id);
    expect((await push(accountId, 'before', 1)).status).toBe(200);
    await Promise.all([phone, laptop, peerWs].map((ws) => ws.next(updated(accountId, 'before'))));

    const withdrawn = await withdraw(e2e.server, ADMIN, accountId, reader.user.user_id);
    expect(withdrawn.body).toMatchObject({ revoked: true });
    // Each of the reader's connections is told that this subscription ended; the peer is not.
    const ended = {
      event: 'bridge.unsubscribed',
      data: { account_id: accountId, reason: 'GRANT_WITHDRAWN' },
    };
    for (const ws of [phone, laptop]) {
      expect(await ws.next((f) => f.event === 'bridge.unsubscribed')).toEqual(ended);
    }
    const frames = [phone.frames.length, laptop.frames.length];
    await push(accountId, 'after', 2);
    await push(kept, 'other', 3);
    // The peer, still granted, gets the change, and the reader the other account's: both
    // were published, on this node, by the time they arrive.
    await peerWs.next(updated(accountId, 'after'));
    await phone.next(updated(kept, 'other'));
    await laptop.call('ping');
    const sinceWithdrawal = (ws: typeof phone, at: number) =>
      ws.frames.slice(at).filter((f) => f.event !== undefined);
    expect(sinceWithdrawal(phone, frames[0]!)).toEqual([
      expect.objectContaining({
        event: 'bridge.updated',
        data: expect.objectContaining({ account_id: kept }),
      }),
    ]);
    expect(sinceWithdrawal(laptop, frames[1]!)).toEqual([]);
    expect(peerWs.events('bridge.unsubscribed')).toEqual([]);
    // Following it again is refused until it is granted again.
    expect(await phone.request('bridge.subscribe', { account_id: accountId })).toMatchObject({
      ok: false,
      error: { code: 'PERMISSION_DENIED' },
    });
  });

  it('splits a large snapshot into frames of at most 200 items', async () => {
    const accountId = `live-${e2e.next()}`;
    const { token } = await createWorkerToken(e2e.server);
    const reader = await e2e.account('reader');
    await grant(e2e.server, ADMIN, accountId, reader.user.user_id);
    const ws = await e2e.connect(reader);
    await ws.call('bridge.subscribe', { account_id: accountId });
    const items = Array.from({ length: 1_000 }, (_, i) =>
      workerMessage(accountId, `m${i}`, 'x', i),
    );
    expect(
      (await pushHttp(e2e.server, token, syncPayload(accountId, 1, { messages: items }))).status,
    ).toBe(200);
    const seen = new Set<string>();
    while (seen.size < 1_000) {
      const frame = await ws.next(
        (f) =>
          f.event === 'bridge.updated' &&
          !f.data.items.every((i: { msg_id: string }) => seen.has(i.msg_id)),
      );
      expect(frame.data.items.length).toBeLessThanOrEqual(200);
      for (const item of frame.data.items) seen.add(item.msg_id);
    }
    expect(ws.events('bridge.updated')).toHaveLength(5);
  });

  it('counts items per kind, times syncs, and shows each account’s last sync', async () => {
    const accountId = `metrics-${e2e.next()}`;
    const { token } = await createWorkerToken(e2e.server);
    const scrape = async () => (await e2e.get('/metrics')).body as string;
    const value = (text: string, series: string) =>
      Number(new RegExp(`^${series} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    const inserted = 'parley_bridge_items_total{kind="message",change="inserted"}';
    const before = await scrape();
    const at = Date.now();
    await pushHttp(
      e2e.server,
      token,
      syncPayload(accountId, 5, {
        messages: [workerMessage(accountId, 'a', 'x'), workerMessage(accountId, 'b', 'y')],
        contents: [{ id: 'p1' }],
      }),
    );
    const after = await scrape();
    expect(value(after, inserted) - value(before, inserted)).toBe(2);
    expect(
      value(after, 'parley_bridge_items_total{kind="content",change="inserted"}') -
        value(before, 'parley_bridge_items_total{kind="content",change="inserted"}'),
    ).toBe(1);
    expect(
      value(after, 'parley_bridge_sync_duration_seconds_count') -
        value(before, 'parley_bridge_sync_duration_seconds_count'),
    ).toBe(1);
    const last = value(
      after,
      `parley_bridge_account_last_sync_seconds{platform="douyin",account_id="${accountId}"}`,
    );
    expect(last).toBeGreaterThanOrEqual(Math.floor(at / 1000));
    expect(last).toBeLessThanOrEqual(Date.now() / 1000);
  });
});
