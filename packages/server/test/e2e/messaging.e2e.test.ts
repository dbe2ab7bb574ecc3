import { describe, expect, it } from 'vitest';
import { e2eServer } from '../support/e2e-fixture.js';
import { ENGINES, type Engine } from '../support/test-server.js';
import { upgradeRefusal, WsTestClient } from '../support/ws-test-client.js';

// On MariaDB too: the message path end to end, through a mariadb:// URL.
const engines: readonly Engine[] = [...ENGINES, 'mysql'];

describe.each(engines)('messaging over WebSocket (%s)', (engine) => {
  const t = e2eServer(engine);
  const { login, connect } = t;
  const account = (device = 'd1') => t.account('user', device);

  it('gives 1,000 concurrent sends from several connections seqs 1..1000, and retries the originals', async () => {
    const alice = await account();
    const bob = await account();
    const senders = [
      await connect(alice),
      await connect(await login(alice, 'd2')),
      await connect(bob),
      await connect(await login(bob, 'd2')),
    ];
    const { conversation } = await senders[0]!.call('conversation.create', {
      user_id: bob.user.user_id,
    });
    const id = conversation.conversation_id;
    const sends = Array.from({ length: 1000 }, (_, i) =>
      senders[i % 4]!.call('message.send', {
        conversation_id: id,
        client_msg_id: `m-${i}`,
        type: 'text',
        content: { text: `message ${i}` },
      }),
    );
    const replies = await Promise.all(sends);
    const seqs = replies.map((r) => r.message.seq).sort((a: number, b: number) => a - b);
    expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(replies.every((r) => r.duplicate === false)).toBe(true);

    // Retries (any connection of the same sender) return the original, store nothing new.
    const retries = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        senders[i % 2]!.call('message.send', {
          conversation_id: id,
          client_msg_id: `m-${i * 4}`,
          type: 'text',
          content: { text: 'changed on retry' },
        }),
      ),
    );
    retries.forEach((r, i) => {
      expect(r.duplicate).toBe(true);
      expect(r.message).toEqual(replies[i * 4].message);
    });
    let after = 0;
    const stored: number[] = [];
    for (;;) {
      const page = await senders[2]!.call('message.history', {
        conversation_id: id,
        after_seq: after,
        limit: 100,
      });
      stored.push(...page.messages.map((m: { seq: number }) => m.seq));
      after = stored.at(-1) ?? after;
      if (!page.has_more) break;
    }
    expect(stored).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it('delivers message.new to every connection of every member except the sending one, and to nobody else', async () => {
    const alice = await account();
    const bob = await account();
    const carol = await account();
    const a1 = await connect(alice);
    const a2 = await connect(await login(alice, 'd2'));
    const b1 = await connect(bob);
    const b2 = await connect(await login(bob, 'd2'));
    const c1 = await connect(carol);
    const { message } = await a1.call('message.send', {
      to_user_id: bob.user.user_id,
      client_msg_id: 'hello',
      type: 'text',
      content: { text: 'hi bob' },
    });
    for (const client of [a2, b1, b2]) {
      const frame = await client.next((f) => f.event === 'message.new');
      expect(frame.data.message).toEqual(message);
    }
    await a1.call('ping');
    await c1.call('ping');
    expect(a1.events('message.new')).toEqual([]);
    expect(c1.events('message.new')).toEqual([]);
  });

  it('lets outsiders neither read nor post, over WS and REST', async () => {
    const alice = await account();
    const bob = await account();
    const carol = await account();
    const a = await connect(alice);
    const { message } = await a.call('message.send', {
      to_user_id: bob.user.user_id,
      client_msg_id: 'private',
      type: 'text',
      content: { text: 'secret' },
    });
    const c = await connect(carol);
    const id = message.conversation_id;
    for (const [op, data] of [
      [
        'message.send',
        { conversation_id: id, client_msg_id: 'x', type: 'text', content: { text: 'intrude' } },
      ],
      ['message.history', { conversation_id: id }],
      ['message.changes', { conversation_id: id }],
      ['conversation.get', { conversation_id: id }],
      ['conversation.read', { conversation_id: id, seq: 1 }],
      ['typing', { conversation_id: id }],
      ['message.recall', { conversation_id: id, seq: 1 }],
    ] as const) {
      const reply = await c.request(op, data);
      expect(reply.error?.code, op).toBe('PERMISSION_DENIED');
    }
    expect((await t.get(`/v1/conversations/${id}/messages`, carol)).status).toBe(403);
    const post = await t.post(`/v1/conversations/${id}/messages`, carol, {
      client_msg_id: 'y',
      type: 'text',
      content: { text: 'intrude' },
    });
    expect(post.status).toBe(403);
    expect(
      (await c.request('message.history', { conversation_id: 's_nope_nothing' })).error?.code,
    ).toBe('NOT_FOUND');
    const history = await a.call('message.history', { conversation_id: id });
    expect(history.messages.map((m: { content: unknown }) => m.content)).toEqual([
      { text: 'secret' },
    ]);
  });

  it('gives an offline member exact unread counts and history, and the sender read receipts', async () => {
    const alice = await account();
    const bob = await account();
    const a = await connect(alice);
    for (let i = 0; i < 5; i++) {
      await a.call('message.send', {
        to_user_id: bob.user.user_id,
        client_msg_id: `u${i}`,
        type: 'text',
        content: { text: `#${i}` },
      });
    }
    const b = await connect(bob);
    const { conversations } = await b.call('conversation.list');
    const convo = conversations.find(
      (c: { peer: { user_id: string } | null }) => c.peer?.user_id === alice.user.user_id,
    );
    expect(convo).toMatchObject({ type: 'single', max_seq: 5, read_seq: 0, unread_count: 5 });
    expect(convo.last_message.content).toEqual({ text: '#4' });
    const page = await b.call('message.history', {
      conversation_id: convo.conversation_id,
      after_seq: 0,
    });
    expect(page.messages.map((m: { content: { text: string } }) => m.content.text)).toEqual([
      '#0',
      '#1',
      '#2',
      '#3',
      '#4',
    ]);

    await b.call('conversation.read', { conversation_id: convo.conversation_id, seq: 3 });
    const receipt = await a.next((f) => f.event === 'conversation.read');
    expect(receipt.data).toEqual({
      conversation_id: convo.conversation_id,
      user_id: bob.user.user_id,
      seq: 3,
    });
    await b.call('conversation.read', { conversation_id: convo.conversation_id, seq: 1 });
    const after = (await b.call('conversation.get', { conversation_id: convo.conversation_id }))
      .conversation;
    expect(after).toMatchObject({ read_seq: 3, unread_count: 2 });
    // Alice's own messages never count as unread for her.
    const forAlice = (await a.call('conversation.get', { conversation_id: convo.conversation_id }))
      .conversation;
    expect(forAlice.unread_count).toBe(0);
  });

  it('sends delivered acks and typing to the peer only, and stores no typing', async () => {
    const alice = await account();
    const bob = await account();
    const a = await connect(alice);
    const b = await connect(bob);
    const { message } = await a.call('message.send', {
      to_user_id: bob.user.user_id,
      client_msg_id: 't',
      type: 'text',
      content: { text: 'x' },
    });
    const id = message.conversation_id;
    await b.call('message.delivered', { conversation_id: id, seq: 1 });
    expect((await a.next((f) => f.event === 'conversation.delivered')).data).toEqual({
      conversation_id: id,
      user_id: bob.user.user_id,
      seq: 1,
    });
    await b.call('typing', { conversation_id: id });
    expect((await a.next((f) => f.event === 'typing')).data).toEqual({
      conversation_id: id,
      user_id: bob.user.user_id,
    });
    await b.call('ping');
    expect(b.events('typing')).toEqual([]);
    const history = await a.call('message.history', { conversation_id: id });
    expect(history.messages).toHaveLength(1);
  });

  it('tells contacts when a user comes online and goes offline', async () => {
    const alice = await account();
    const bob = await account();
    const a = await connect(alice);
    await a.call('message.send', {
      to_user_id: bob.user.user_id,
      client_msg_id: 'p',
      type: 'text',
      content: { text: 'x' },
    });
    const b = await connect(bob);
    expect((await a.next((f) => f.event === 'presence' && f.data.online === true)).data).toEqual({
      user_id: bob.user.user_id,
      online: true,
    });
    const b2 = await connect(await login(bob, 'd2'));
    b.close();
    await b.closed;
    b2.close();
    const offline = await a.next((f) => f.event === 'presence' && f.data.online === false);
    expect(offline.data).toMatchObject({
      user_id: bob.user.user_id,
      online: false,
      last_seen: expect.any(Number),
    });
    // One online and one offline event: the second device changed nothing.
    expect(a.events('presence')).toHaveLength(2);
  });

  it('recalls and edits through the change log, pushed as message.updated', async () => {
    const alice = await account();
    const bob = await account();
    const a = await connect(alice);
    const b = await connect(bob);
    const first = await a.call('message.send', {
      to_user_id: bob.user.user_id,
      client_msg_id: 'e1',
      type: 'text',
      content: { text: 'tpyo' },
    });
    await a.call('message.send', {
      to_user_id: bob.user.user_id,
      client_msg_id: 'e2',
      type: 'text',
      content: { text: 'oops' },
    });
    const id = first.message.conversation_id;
    expect(
      (
        await b.request('message.edit', {
          conversation_id: id,
          seq: 1,
          content: { text: 'hacked' },
        })
      ).error?.code,
    ).toBe('PERMISSION_DENIED');
    const edited = await a.call('message.edit', {
      conversation_id: id,
      seq: 1,
      content: { text: 'typo' },
    });
    expect(edited).toMatchObject({
      change_seq: 1,
      message: { seq: 1, content: { text: 'typo' }, edited_at: expect.any(Number) },
    });
    expect((await b.next((f) => f.event === 'message.updated')).data).toEqual(edited);
    const recalled = await a.call('message.recall', { conversation_id: id, seq: 2 });
    expect(recalled).toMatchObject({
      change_seq: 2,
      message: { seq: 2, status: 'recalled', content: {} },
    });
    expect(
      (await a.request('message.edit', { conversation_id: id, seq: 2, content: { text: 'back' } }))
        .error?.code,
    ).toBe('FAILED_PRECONDITION');
    expect(
      (await a.request('message.edit', { conversation_id: id, seq: 1, content: { nope: 1 } })).error
        ?.code,
    ).toBe('INVALID_ARGUMENT');

    const history = await b.call('message.history', { conversation_id: id });
    expect(
      history.messages.map((m: { status: string; content: unknown }) => [m.status, m.content]),
    ).toEqual([
      ['sent', { text: 'typo' }],
      ['recalled', {}],
    ]);
    const changes = await b.call('message.changes', { conversation_id: id, after_change_seq: 1 });
    expect(
      changes.changes.map((c: { change_seq: number; kind: string }) => [c.change_seq, c.kind]),
    ).toEqual([[2, 'recall']]);
    const { conversation } = await b.call('conversation.get', { conversation_id: id });
    expect(conversation.max_change_seq).toBe(2);
  });

  it('lets anyone join the lobby and delivers its messages to the members online', async () => {
    const alice = await account();
    const bob = await account();
    const a = await connect(alice);
    const b = await connect(bob);
    const notMember = await a.request('message.send', {
      conversation_id: 'w_lobby',
      client_msg_id: 'l0',
      type: 'text',
      content: { text: 'hi' },
    });
    expect(notMember.error?.code).toBe('PERMISSION_DENIED');
    await a.call('conversation.join', { conversation_id: 'w_lobby' });
    const joined = await b.call('conversation.join', { conversation_id: 'w_lobby' });
    expect(joined.conversation).toMatchObject({ type: 'world', name: 'Lobby' });
    // Both joined on live connections: the subscription follows without reconnecting.
    const sent = await a.call('message.send', {
      conversation_id: 'w_lobby',
      client_msg_id: 'l1',
      type: 'text',
      content: { text: 'hello world' },
    });
    expect(
      (
        await b.next(
          (f) => f.event === 'message.new' && f.data.message.conversation_id === 'w_lobby',
        )
      ).data.message,
    ).toEqual(sent.message);
    await a.call('ping');
    expect(a.events('message.new')).toEqual([]);
  });

  it('closes the connections of a session that logs out with 4001', async () => {
    const alice = await account();
    const a = await connect(alice);
    await t.server.client(alice.access_token).logout();
    expect((await a.closed).code).toBe(4001);
  });

  it('refuses a bad token with 401 before the upgrade, and takes the token from the query', async () => {
    for (const headers of [{}, { authorization: 'Bearer forged' }] as Record<string, string>[]) {
      const refused = await upgradeRefusal(`${t.url.replace('http', 'ws')}/v1/ws`, headers);
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({
        error: { code: 'UNAUTHENTICATED', trace_id: expect.any(String) },
      });
    }
    const forged = await upgradeRefusal(
      `${t.url.replace('http', 'ws')}/v1/ws?access_token=forged`,
      {},
    );
    expect(forged.status).toBe(401);
    const alice = await account();
    const viaQuery = await WsTestClient.connect(t.url, alice.access_token, true);
    t.onClose(() => viaQuery.close());
    expect(viaQuery.frames[0]).toMatchObject({
      event: 'ready',
      data: { user: { user_id: alice.user.user_id } },
    });
    const plain = await t.get('/v1/ws');
    expect(plain.status).toBe(426);
  });
});
