// Who may report an async result (docs/extensions.md "Callback tokens"): only the holder of
// the call's token, only for a message still pending, only into the original's conversation
// and for its sender. And where the callback service listens.
import { connect } from 'node:net';
import { status, type ServiceError } from '@grpc/grpc-js';
import { serveExtension, text } from '@parley/ext';
import { MsgStatus } from '@parley/proto';
import { describe, expect, it } from 'vitest';
import { e2eServersPerTest, type E2eServer } from '../support/e2e-fixture.js';
import { callbackOf, complete, generated, startTestExtension } from '../support/test-extension.js';
import { ENGINES } from '../support/test-server.js';
import { eventually } from '../support/ws-test-client.js';

/** The gRPC status a call failed with (undefined when it succeeded). */
async function codeOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    return (err as ServiceError).code;
  }
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the extension callback service', () => {
  const { start, onClose } = e2eServersPerTest();

  async function users(parley: E2eServer) {
    const a = await parley.account('alice');
    const b = await parley.account('bob');
    const alice = await parley.connect(a);
    const bob = await parley.connect(b);
    const send = (type: string, content: unknown, clientMsgId: string) =>
      alice.request('message.send', {
        to_user_id: b.user.user_id,
        client_msg_id: clientMsgId,
        type,
        content,
      });
    return { alice, bob, aliceId: a.user.user_id, bobId: b.user.user_id, send };
  }

  const asyncService = (type: string, addr: string) => ({
    // A generous deadline: a first call on a busy machine may take more than the default 50 ms.
    ext: {
      services: {
        [type]: [{ instance_id: `${type}-1`, addr, mode: 'async' }],
      },
      types: { [type]: { timeout_ms: 10_000 } },
    },
  });

  describe.each(ENGINES)('on %s', (engine) => {
    it('refuses Complete without the call token, for a text message, and for anyone but the sender; takes the right one once', async () => {
      const ext = await startTestExtension();
      onClose(() => ext.close());
      const parley = await start(engine, asyncService('image.meta', ext.addr));
      const s = await users(parley);
      const text1 = (await s.send('text', { text: 'hi' }, 't-1')).data.message;
      const image = (await s.send('image.meta', { url: 'https://x/c.png' }, 'i-1')).data.message;
      const other = (await s.send('image.meta', { url: 'https://x/d.png' }, 'i-2')).data.message;
      await eventually(() => ext.calls.length === 2);
      const call = ext.calls.find((c) => c.msgId === image.message_id)!;
      const { addr, token } = callbackOf(call);
      expect(token).toMatch(/^v1\./);
      const otherToken = callbackOf(ext.calls.find((c) => c.msgId === other.message_id)!).token;
      expect(otherToken).not.toBe(token);
      const notice = [generated('text', { text: 'injected' })];
      const done = (msgId: string, more: Record<string, unknown> = {}) => ({
        msgId,
        status: MsgStatus.MSG_SUCCESS,
        generated: notice,
        ...more,
      });
      const altered = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;

      const refused: [string, () => Promise<unknown>][] = [
        ['no token', () => complete(addr, done(image.message_id))],
        ['no token, partial', () => complete(addr, done(image.message_id, { status: 1 }))],
        ['text, no token', () => complete(addr, done(text1.message_id))],
        ["text, another message's token", () => complete(addr, done(text1.message_id), token)],
        ["another message's token", () => complete(addr, done(image.message_id), otherToken)],
        ['an altered token', () => complete(addr, done(image.message_id), altered)],
        ['unknown id', () => complete(addr, done('01NOSUCHMESSAGE00000000000'))],
        [
          'a generated message from bob',
          () =>
            complete(
              addr,
              done(image.message_id, { generated: [generated('text', { text: 'x' }, s.bobId)] }),
              token,
            ),
        ],
        [
          'a generated message for another conversation',
          () =>
            complete(
              addr,
              done(image.message_id, {
                generated: [{ ...generated('text', { text: 'x' }), conversation: 'g_elsewhere' }],
              }),
              token,
            ),
        ],
      ];
      for (const [what, call] of refused) {
        expect([what, await codeOf(call())]).toEqual([what, status.PERMISSION_DENIED]);
      }
      // Nothing landed: the text is untouched and the async message still pending.
      await s.bob.call('ping');
      expect(s.bob.events('message.new')).toHaveLength(3);
      expect(s.bob.events('message.updated')).toEqual([]);
      const history = async () =>
        (
          await s.bob.call('message.history', { conversation_id: image.conversation_id })
        ).messages.map((m: { type: string; status: string; sender_id: string }) => [
          m.type,
          m.status,
          m.sender_id,
        ]);
      expect(await history()).toEqual([
        ['text', 'sent', s.aliceId],
        ['image.meta', 'pending', s.aliceId],
        ['image.meta', 'pending', s.aliceId],
      ]);

      // The call's own token, with a notice from the original sender (empty from_uid).
      expect(await complete(addr, done(image.message_id), token)).toEqual({ ok: true });
      // A repeat of the same final status changes nothing and succeeds (Complete is idempotent)…
      expect(await complete(addr, done(image.message_id), token)).toEqual({ ok: true });
      // …but a settled message takes no other result.
      for (const late of [MsgStatus.MSG_REJECTED, MsgStatus.MSG_PENDING]) {
        const call = complete(addr, done(image.message_id, { status: late }), token);
        expect(await codeOf(call)).toBe(status.PERMISSION_DENIED);
      }
      expect(await history()).toEqual([
        ['text', 'sent', s.aliceId],
        ['image.meta', 'sent', s.aliceId],
        ['image.meta', 'pending', s.aliceId],
        ['text', 'sent', s.aliceId],
      ]);
    });
  });

  it('drops generated messages of a sync answer that name another sender or conversation', async () => {
    let bobId = '';
    const ext = await startTestExtension(() => ({
      accept: true,
      status: MsgStatus.MSG_SUCCESS,
      generated: [
        generated('text', { text: 'as bob' }, bobId),
        { ...generated('text', { text: 'elsewhere' }), conversation: 'g_elsewhere' },
        generated('text', { text: 'kept' }),
      ],
    }));
    onClose(() => ext.close());
    const parley = await start('sqlite', {
      ext: {
        services: { poll: [{ instance_id: 'poll-1', addr: ext.addr, mode: 'sync' }] },
        types: { poll: { timeout_ms: 10_000 } },
      },
    });
    const s = await users(parley);
    bobId = s.bobId;
    const sent = (await s.send('poll', { q: 'lunch?' }, 'p-1')).data.message;
    const history = await s.bob.call('message.history', { conversation_id: sent.conversation_id });
    expect(
      history.messages.map((m: { content: unknown; sender_id: string }) => [
        m.content,
        m.sender_id,
      ]),
    ).toEqual([
      [{ q: 'lunch?' }, s.aliceId],
      [{ text: 'kept' }, s.aliceId],
    ]);
  });

  it('works end to end with @parley/ext, which sends the token back itself', async () => {
    const ext = await serveExtension({
      types: {
        'ai.reply': {
          mode: 'async',
          handleAsync: async (msg, reply) => {
            await reply.partial(text('Thinking'));
            await reply.complete(text(`Done for ${msg.fromUid}.`));
          },
        },
      },
    });
    onClose(() => ext.close());
    const parley = await start('sqlite', asyncService('ai.reply', ext.addr));
    const s = await users(parley);
    const sent = (await s.send('ai.reply', { prompt: 'hi' }, 'ai-1')).data.message;
    await eventually(() =>
      s.bob
        .events('message.updated')
        .some((f) => f.data.message.message_id === sent.message_id && !f.data.partial),
    );
    const history = await s.bob.call('message.history', { conversation_id: sent.conversation_id });
    expect(
      history.messages.map((m: { status: string; content: unknown; sender_id: string }) => [
        m.status,
        m.content,
        m.sender_id,
      ]),
    ).toEqual([
      ['sent', { prompt: 'hi' }, s.aliceId],
      ['sent', { text: `Done for ${s.aliceId}.` }, s.aliceId],
    ]);
  });

  it('listens on loopback by default, and says where', async () => {
    const parley = (await start('sqlite', { host: '0.0.0.0' })).server;
    const port = parley.parley.grpcPort();
    expect(parley.parley.grpcAddress()).toBe(`127.0.0.1:${port}`);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    // 127.0.0.2 is loopback too, but a socket bound to 127.0.0.1 alone does not take it.
    expect(await accepts('127.0.0.2', port)).toBe(false);
    expect(await accepts('127.0.0.2', Number(new URL(parley.url).port))).toBe(true);
  });

  it('with grpc_port 0, two servers on one machine get two free ports and log them', async () => {
    const first = (await start('sqlite', { grpc_port: 0 })).server;
    const second = (await start('sqlite', { grpc_port: 0 })).server;
    const ports = [first.parley.grpcPort(), second.parley.grpcPort()];
    expect(ports[0]).toBeGreaterThan(0);
    expect(ports[1]).toBeGreaterThan(0);
    expect(ports[0]).not.toBe(ports[1]);
    for (const [i, parley] of [first, second].entries()) {
      const line = parley.logs.find((l) => l.includes('Parley is listening'));
      expect(line).toContain(
        `and on 127.0.0.1:${ports[i]} for gRPC (public API, extension callbacks)`,
      );
      expect(JSON.parse(line!)).toMatchObject({ grpc: `127.0.0.1:${ports[i]}` });
    }
  });
});
