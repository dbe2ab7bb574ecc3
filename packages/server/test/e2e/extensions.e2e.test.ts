import { MsgScene, MsgStatus } from '@parley/proto';
import { describe, expect, it } from 'vitest';
import { e2eServersPerTest, type E2eServer } from '../support/e2e-fixture.js';
import {
  callbackOf,
  complete,
  generated,
  payloadOf,
  startTestExtension,
  type TestExtension,
} from '../support/test-extension.js';
import { json, type TestServer } from '../support/test-server.js';
import { eventually, type WsTestClient } from '../support/ws-test-client.js';

interface Setup {
  t: E2eServer;
  server: TestServer;
  alice: WsTestClient;
  bob: WsTestClient;
  bobId: string;
  aliceId: string;
}

describe('extension messages with services from the config file', () => {
  const { start, startAgain, onClose } = e2eServersPerTest();

  async function setup(
    ext: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): Promise<Setup> {
    // A call's deadline is the instance's or type's timeout_ms, else this: generous, so that a
    // first call on a busy machine is not taken for a dead service.
    const t = await start('sqlite', {
      ext,
      ext_breaker_open_ms: 300,
      ext_timeout_ms: 5_000,
      ...extra,
    });
    const a = await t.account('alice');
    const b = await t.account('bob');
    const alice = await t.connect(a);
    const bob = await t.connect(b);
    return { t, server: t.server, alice, bob, bobId: b.user.user_id, aliceId: a.user.user_id };
  }

  const extension = async (handle?: Parameters<typeof startTestExtension>[0]) => {
    const ext = await startTestExtension(handle);
    onClose(() => ext.close());
    return ext;
  };

  const service = (
    type: string,
    ext: { addr: string },
    mode: 'sync' | 'async' = 'sync',
    more: Record<string, unknown> = {},
  ) => ({
    services: { [type]: [{ instance_id: `${type}-1`, addr: ext.addr, mode, ...more }] },
  });

  const send = (s: Setup, type: string, content: unknown, clientMsgId: string) =>
    s.alice.request('message.send', {
      to_user_id: s.bobId,
      client_msg_id: clientMsgId,
      type,
      content,
    });

  it('refuses a type that no service handles', async () => {
    const s = await setup({});
    const reply = await send(s, 'redpacket', { amount: 1 }, 'r1');
    expect(reply.error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('redpacket'),
    });
  });

  it('sync: Handle before storing; accepted messages are stored with their generated ones, each with its seq', async () => {
    const ext = await extension((m) => ({
      accept: true,
      status: MsgStatus.MSG_SUCCESS,
      generated: [generated('text', { text: `${m.fromUid} sent a red packet` })],
    }));
    const s = await setup(service('redpacket', ext));
    const reply = await send(s, 'redpacket', { amount: 500, count: 3 }, 'rp-1');
    expect(reply.ok).toBe(true);
    expect(reply.data.message).toMatchObject({
      type: 'redpacket',
      seq: 1,
      status: 'sent',
      content: { amount: 500, count: 3 },
    });
    const call = ext.calls[0]!;
    expect(call).toMatchObject({
      msgType: 'redpacket',
      fromUid: s.aliceId,
      toUid: s.bobId,
      msgId: reply.data.message.message_id,
      conversation: reply.data.message.conversation_id,
      seq: 0,
    });
    expect(call.serverTs).toBeGreaterThan(0);
    expect(payloadOf(call)).toEqual({ amount: 500, count: 3 });
    await eventually(() => s.bob.events('message.new').length === 2);
    const [parent, notice] = s.bob.events('message.new').map((f) => f.data.message);
    expect(parent).toEqual(reply.data.message);
    expect(notice).toMatchObject({
      seq: 2,
      type: 'text',
      content: { text: `${s.aliceId} sent a red packet` },
      message_id: `${parent.message_id}-g0`,
    });
    // The sender's connection has the sent message in its reply, and the generated one live.
    await eventually(() => s.alice.events('message.new').length === 1);
    expect(s.alice.events('message.new').map((f) => f.data.message)).toEqual([notice]);

    // A retry returns the original and never calls Handle again.
    const retry = await send(s, 'redpacket', { amount: 500, count: 3 }, 'rp-1');
    expect(retry.data).toMatchObject({ duplicate: true, message: reply.data.message });
    expect(ext.calls).toHaveLength(1);
  });

  it('sync: a refusal reaches the sender as FAILED_PRECONDITION and stores nothing', async () => {
    const ext = await extension(() => ({
      accept: false,
      reason: 'The red packet is empty.',
      status: MsgStatus.MSG_REJECTED,
    }));
    const s = await setup(service('redpacket', ext));
    const reply = await send(s, 'redpacket', { amount: 0 }, 'rp-0');
    expect(reply.error).toEqual({
      code: 'FAILED_PRECONDITION',
      reason: 'EXTENSION_REFUSED',
      message: 'The red packet is empty.',
    });
    const { conversations } = await s.bob.call('conversation.list');
    expect(
      conversations.map((c: { max_seq: number; last_message: unknown }) => [
        c.max_seq,
        c.last_message,
      ]),
    ).toEqual([[0, null]]);
    await s.bob.call('ping');
    expect(s.bob.events('message.new')).toEqual([]);
  });

  it('degrades per policy when the service is down: reject, skip, passthrough', async () => {
    const dead = { addr: '127.0.0.1:1' };
    const s = await setup({
      services: {
        'x.reject': [{ instance_id: 'r', addr: dead.addr, mode: 'sync' }],
        'x.skip': [{ instance_id: 's', addr: dead.addr, mode: 'sync' }],
        'x.pass': [{ instance_id: 'p', addr: dead.addr, mode: 'sync' }],
      },
      types: {
        'x.reject': { degrade: 'reject' },
        'x.skip': { degrade: 'skip' },
        'x.pass': { degrade: 'passthrough' },
      },
    });
    expect((await send(s, 'x.reject', { a: 1 }, 'd1')).error?.code).toBe('UNAVAILABLE');
    expect((await send(s, 'x.skip', { a: 2 }, 'd2')).data.message).toMatchObject({
      type: 'x.skip',
      status: 'sent',
      seq: 1,
    });
    expect((await send(s, 'x.pass', { a: 3 }, 'd3')).data.message).toMatchObject({
      type: 'x.pass',
      status: 'pending',
      seq: 2,
    });
    // Text is untouched by a dead extension.
    expect((await send(s, 'text', { text: 'still fine' }, 'd4')).data.message.seq).toBe(3);
  });

  it('gives a hung service its deadline, opens the breaker, and recovers through half-open', async () => {
    const ext = await extension(() => 'hang');
    const s = await setup({
      ...service('x.slow', ext, 'sync', { timeout_ms: 40 }),
      types: { 'x.slow': { degrade: 'reject' } },
    });
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      expect((await send(s, 'x.slow', { i }, `h${i}`)).error?.code).toBe('UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    const callsWhenOpen = ext.calls.length;
    expect((await send(s, 'x.slow', { i: 5 }, 'h5')).error?.code).toBe('UNAVAILABLE');
    expect(ext.calls.length).toBe(callsWhenOpen); // the open breaker kept the call away
    const metrics = (await s.server.fetch('/metrics')).body as string;
    expect(metrics).toMatch(/parley_ext_breaker_state\{type="x.slow",instance="x.slow-1"\} 2/);
    expect(metrics).toMatch(
      /parley_ext_calls_total\{type="x.slow",instance="x.slow-1",method="handle",outcome="timeout"\} \d/,
    );

    ext.handle = () => ({ accept: true, status: MsgStatus.MSG_SUCCESS });
    await new Promise((r) => setTimeout(r, 350));
    expect((await send(s, 'x.slow', { i: 6 }, 'h6')).ok).toBe(true);
    const after = (await s.server.fetch('/metrics')).body as string;
    expect(after).toMatch(/parley_ext_breaker_state\{type="x.slow",instance="x.slow-1"\} 0/);
  });

  it('bounds the calls in flight per type: past the bulkhead a call degrades at once', async () => {
    const ext = await extension(() => 'hang');
    const s = await setup(
      {
        ...service('x.narrow', ext, 'sync', { timeout_ms: 1_000 }),
        types: { 'x.narrow': { degrade: 'reject' } },
      },
      { ext_concurrency: 1, ext_queue: 0 },
    );
    const first = send(s, 'x.narrow', { i: 1 }, 'b1');
    let firstAnswered = false;
    void first.then(() => (firstAnswered = true));
    await eventually(() => ext.calls.length === 1);
    expect((await send(s, 'x.narrow', { i: 2 }, 'b2')).error?.code).toBe('UNAVAILABLE');
    // Refused by the bulkhead while the first call still waits out its deadline.
    expect(firstAnswered).toBe(false);
    expect(ext.calls).toHaveLength(1);
    expect((await first).error?.code).toBe('UNAVAILABLE');
  });

  it('async: stored pending and delivered at once; Complete settles it and adds generated messages, idempotently', async () => {
    const ext = await extension();
    const s = await setup(service('image.meta', ext, 'async'));
    const reply = await send(s, 'image.meta', { url: 'https://cdn.example/cat.png' }, 'img-1');
    expect(reply.data.message).toMatchObject({ status: 'pending', seq: 1 });
    await eventually(() => ext.calls.length === 1);
    const call = ext.calls[0]!;
    expect(call.header?.async).toBe(true);
    const { addr: callback, token } = callbackOf(call);
    expect(callback).toBe(`127.0.0.1:${s.server.parley.grpcPort()}`);

    const done = {
      msgId: call.msgId,
      status: MsgStatus.MSG_SUCCESS,
      generated: [generated('custom', { custom_type: 'image.meta', data: { width: 640 } })],
    };
    expect(await complete(callback, done, token)).toEqual({ ok: true });
    expect(await complete(callback, done, token)).toEqual({ ok: true });
    const updated = await s.bob.next((f) => f.event === 'message.updated');
    expect(updated.data).toMatchObject({ message: { seq: 1, status: 'sent' }, change_seq: 1 });
    await eventually(() => s.bob.events('message.new').length === 2);
    const history = await s.bob.call('message.history', {
      conversation_id: reply.data.message.conversation_id,
    });
    expect(history.messages.map((m: { seq: number; status: string }) => [m.seq, m.status])).toEqual(
      [
        [1, 'sent'],
        [2, 'sent'],
      ],
    );
    await expect(
      complete(callback, { msgId: 'NOSUCHMESSAGE', status: MsgStatus.MSG_SUCCESS }),
    ).rejects.toThrow();
  });

  it("stores a SCENE_SYSTEM generated message as the system's, a SCENE_CHAT one as the sender's", async () => {
    const ext = await extension(() => ({
      accept: true,
      status: MsgStatus.MSG_SUCCESS,
      generated: [
        { ...generated('text', { text: 'Alice sent a red packet' }), scene: MsgScene.SCENE_SYSTEM },
        generated('text', { text: 'in her own words' }),
      ],
    }));
    const s = await setup(service('redpacket', ext));
    expect((await send(s, 'redpacket', { amount: 1 }, 'sc-1')).ok).toBe(true);
    await eventually(() => s.bob.events('message.new').length === 3);
    const [, notice, own] = s.bob.events('message.new').map((f) => f.data.message);
    expect([notice.sender_id, notice.content.text]).toEqual(['system', 'Alice sent a red packet']);
    expect([own.sender_id, own.content.text]).toEqual([s.aliceId, 'in her own words']);
    // Nobody may change a system message, its nominal sender least of all.
    const recall = await s.alice.request('message.recall', {
      conversation_id: notice.conversation_id,
      seq: notice.seq,
    });
    expect(recall.error).toMatchObject({ code: 'PERMISSION_DENIED', reason: 'NOT_THE_SENDER' });
  });

  it('passes the W3C trace context of the request on to sync and async extension calls', async () => {
    const sync = await extension();
    const async = await extension();
    const s = await setup({
      services: {
        ...service('x.sync', sync).services,
        ...service('x.async', async, 'async').services,
      },
      types: {},
    });
    const a = await s.t.account('tracer');
    const conversation = await s.t.post('/v1/conversations', a, { user_id: s.bobId });
    const conversationId = conversation.body.conversation.conversation_id as string;
    const traceIds = ['4bf92f3577b34da6a3ce929d0e0e4736', 'aaaabbbbccccddddeeeeffff00001111'];
    for (const [i, type] of ['x.sync', 'x.async'].entries()) {
      const res = await s.server.fetch(
        `/v1/conversations/${conversationId}/messages`,
        json(
          { client_msg_id: `t${i}`, type, content: { n: i } },
          {
            authorization: `Bearer ${a.access_token}`,
            traceparent: `00-${traceIds[i]}-00f067aa0ba902b7-01`,
          },
        ),
      );
      expect(res.status).toBe(201);
    }
    await eventually(() => async.calls.length === 1);
    // The same trace, a span of Parley's own.
    const pattern = (id: string) => new RegExp(`^00-${id}-[0-9a-f]{16}-01$`);
    expect(sync.traceparents).toEqual([expect.stringMatching(pattern(traceIds[0] as string))]);
    expect(async.traceparents).toEqual([expect.stringMatching(pattern(traceIds[1] as string))]);
  });

  it('async: a refusal settles the message rejected and passes the reason on', async () => {
    const ext = await extension();
    const s = await setup(service('image.scan', ext, 'async'));
    const reply = await send(s, 'image.scan', { url: 'https://cdn.example/x.png' }, 'scan-1');
    await eventually(() => ext.calls.length === 1);
    const { addr: callback, token } = callbackOf(ext.calls[0]!);
    await complete(
      callback,
      {
        msgId: reply.data.message.message_id,
        status: MsgStatus.MSG_REJECTED,
        reason: 'The image is not allowed.',
      },
      token,
    );
    const updated = await s.alice.next((f) => f.event === 'message.updated');
    expect(updated.data).toMatchObject({
      message: { status: 'rejected' },
      reason: 'The image is not allowed.',
    });
  });

  it('streams an AI reply as message.updated deltas and commits one message with one seq', async () => {
    const ext = await extension();
    const s = await setup(service('ai', ext, 'async'));
    const reply = await send(s, 'ai', { prompt: 'hello' }, 'ai-1');
    await eventually(() => ext.calls.length === 1);
    const { addr: callback, token } = callbackOf(ext.calls[0]!);
    const msgId = reply.data.message.message_id;
    let text = '';
    for (const word of ['Hello', 'there,', 'friend.']) {
      text = text ? `${text} ${word}` : word;
      await complete(
        callback,
        { msgId, status: MsgStatus.MSG_PENDING, generated: [generated('text', { text })] },
        token,
      );
    }
    await complete(
      callback,
      { msgId, status: MsgStatus.MSG_SUCCESS, generated: [generated('text', { text })] },
      token,
    );
    await eventually(() => s.bob.events('message.updated').length >= 4);
    const newOnes = s.bob.events('message.new').map((f) => f.data.message);
    expect(newOnes.map((m) => [m.seq, m.status])).toEqual([
      [1, 'pending'],
      [2, 'pending'],
    ]);
    const deltas = s.bob
      .events('message.updated')
      .filter((f) => f.data.partial)
      .map((f) => f.data.message.content.text);
    expect(deltas).toEqual(['Hello there,', 'Hello there, friend.']);
    const history = await s.bob.call('message.history', {
      conversation_id: reply.data.message.conversation_id,
    });
    expect(
      history.messages.map((m: { seq: number; status: string; content: unknown }) => [
        m.seq,
        m.status,
        m.content,
      ]),
    ).toEqual([
      [1, 'sent', { prompt: 'hello' }],
      [2, 'sent', { text: 'Hello there, friend.' }],
    ]);
  });

  it('async results survive a Parley restart between HandleAsync and Complete', async () => {
    const ext = await extension();
    const first = await setup(service('slowjob', ext, 'async'));
    const reply = await send(first, 'slowjob', { n: 1 }, 'job-1');
    await eventually(() => ext.calls.length === 1);
    await first.server.stop();
    const { server } = await startAgain(first.t, { ext: service('slowjob', ext, 'async') });
    const callback = `127.0.0.1:${server.parley.grpcPort()}`;
    // The token of the call made before the restart is still good.
    const { token } = callbackOf(ext.calls[0]!);
    expect(
      await complete(
        callback,
        { msgId: reply.data.message.message_id, status: MsgStatus.MSG_SUCCESS },
        token,
      ),
    ).toEqual({ ok: true });
    const stored = await server.parley.store.messages.findById(reply.data.message.message_id);
    expect(stored?.status).toBe('sent');
  });
});

export type { TestExtension };
