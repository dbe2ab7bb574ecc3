// MessageService.Subscribe (docs/grpc.md, "Events"): events from REST, WebSocket and gRPC
// sends, resume by seq without gap or duplicate, slow streams cut off, deadlines, presence.
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eServer } from '../support/e2e-fixture.js';
import { bearer, call, EventStream, grpcClients, ok } from '../support/grpc-test-client.js';
import { eventually } from '../support/ws-test-client.js';

describe('MessageService.Subscribe', () => {
  const t = e2eServer('sqlite', { grpc_stream_queue: 16 });
  let g: ReturnType<typeof grpcClients>;
  beforeAll(() => {
    g = grpcClients(`127.0.0.1:${t.server.parley.grpcPort()}`);
  });
  afterAll(() => g.close());

  const register = async (name: string) => {
    const who = await t.account(name);
    return { who, id: who.user.user_id, meta: () => bearer(who.access_token) };
  };

  it('Subscribe: events from REST and WebSocket sends, gRPC sends reach WebSocket, resume without gap or duplicate', async () => {
    const alice = await register('sa');
    const bob = await register('sb');
    const conversation = await ok(
      g.conversations,
      'createPrivateConversation',
      { peerUserId: bob.id },
      alice.meta(),
    );
    const conversationId = conversation.conversation.conversationId as string;
    const stream = new EventStream(g.messages, {}, bob.meta());
    await eventually(() => stream.named('ready').length === 1);
    const socket = await t.connect(alice.who);
    const bobSocket = await t.connect(bob.who);
    const rest = await t.post(`/v1/conversations/${conversationId}/messages`, alice.who, {
      client_msg_id: 'r1',
      type: 'text',
      content: { text: 'over REST' },
    });
    expect(rest.status).toBe(201);
    await socket.call('message.send', {
      conversation_id: conversationId,
      client_msg_id: 'w1',
      type: 'text',
      content: { text: 'over WebSocket' },
    });
    await eventually(() => stream.named('message.new').length === 2);
    expect(
      stream.named('message.new').map((e) => [e.seq, e.message?.content, e.message?.senderName]),
    ).toEqual([
      [1, '{"text":"over REST"}', alice.who.user.nickname],
      [2, '{"text":"over WebSocket"}', alice.who.user.nickname],
    ]);
    await ok(
      g.messages,
      'sendMessage',
      { conversationId, clientMsgId: 'g1', messageType: 1, content: '{"text":"over gRPC"}' },
      bob.meta(),
    );
    await socket.next(
      (f) => f.event === 'message.new' && f.data.message.content.text === 'over gRPC',
    );
    // The rest of what a WebSocket connection gets: presence, typing, read, message.updated.
    await socket.call('typing', { conversation_id: conversationId });
    await socket.call('conversation.read', { conversation_id: conversationId, seq: 3 });
    await socket.call('message.recall', { conversation_id: conversationId, seq: 2 });
    await eventually(() =>
      ['presence', 'typing', 'conversation.read', 'message.updated'].every(
        (name) => stream.named(name).length > 0,
      ),
    );
    expect(JSON.parse(stream.named('presence')[0]!.data)).toMatchObject({
      user_id: alice.id,
      online: true,
    });
    expect(JSON.parse(stream.named('typing')[0]!.data)).toEqual({
      conversation_id: conversationId,
      user_id: alice.id,
    });
    expect(stream.named('message.updated')[0]).toMatchObject({
      seq: 2,
      message: { status: 'recalled', seqId: 2 },
    });
    stream.cancel();
    bobSocket.close();

    // Missed while away: 4 and 5; resume after 3 gets exactly those, then live ones.
    for (const n of [4, 5]) {
      await socket.call('message.send', {
        conversation_id: conversationId,
        client_msg_id: `w${n}`,
        type: 'text',
        content: { text: `m${n}` },
      });
    }
    const resumed = new EventStream(
      g.messages,
      { resume: [{ conversationId, afterSeq: 3 }] },
      bob.meta(),
    );
    await eventually(() => resumed.named('message.new').length === 2);
    await socket.call('message.send', {
      conversation_id: conversationId,
      client_msg_id: 'w6',
      type: 'text',
      content: { text: 'm6' },
    });
    await eventually(() => resumed.named('message.new').length === 3);
    const seen = resumed.named('message.new');
    expect(seen.map((e) => [e.seq, e.replayed])).toEqual([
      [4, true],
      [5, true],
      [6, false],
    ]);
    expect(resumed.events[0]?.event).toBe('ready');
    resumed.cancel();
    const stranger = await register('sx');
    const refused = new EventStream(
      g.messages,
      { resume: [{ conversationId, afterSeq: 0 }] },
      stranger.meta(),
    );
    await eventually(() => refused.error !== undefined);
    expect(refused.error?.code).toBe(status.PERMISSION_DENIED);
  });

  it('cuts a stream that does not read off at its queue bound', async () => {
    const alice = await register('qa');
    const bob = await register('qb');
    const opened = await ok(
      g.conversations,
      'createPrivateConversation',
      { peerUserId: bob.id },
      alice.meta(),
    );
    const path = `/v1/conversations/${opened.conversation.conversationId}/messages`;
    const stream = new EventStream(g.messages, {}, bob.meta());
    await eventually(() => stream.named('ready').length === 1);
    stream.pause();
    const big = { text: 'x'.repeat(8_000) };
    for (let i = 0; i < 60; i++) {
      await t.post(path, alice.who, { client_msg_id: `q${i}`, type: 'text', content: big });
    }
    stream.resume();
    await eventually(() => stream.error !== undefined, 10_000);
    expect(stream.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(stream.named('message.new').length).toBeLessThan(60);
  });

  it('honours deadlines: a stream ends with DEADLINE_EXCEEDED, an expired call is not run', async () => {
    const alice = await register('da');
    const online = async () =>
      (await ok(g.users, 'getUserOnlineStatus', { userIds: [alice.id] }, alice.meta())).statuses[0]
        .isOnline as boolean;
    const stream = new EventStream(g.messages, {}, alice.meta(), { deadline: Date.now() + 1_000 });
    await eventually(() => stream.named('ready').length === 1);
    // A stream counts as a connection in presence while it lasts.
    expect(await online()).toBe(true);
    await eventually(() => stream.error !== undefined);
    expect(stream.error?.code).toBe(status.DEADLINE_EXCEEDED);
    await eventually(async () => !(await online()));
    const expired = await call(g.users, 'getUser', { userId: alice.id }, alice.meta(), {
      deadline: Date.now() - 1,
    });
    expect(expired.err?.code).toBe(status.DEADLINE_EXCEEDED);
  });
});
