// Acceptance for the public gRPC API (docs/grpc.md): a client in another language — Python
// with grpcio from Debian, stubs compiled from proto/ by the test — calls every RPC, decodes
// ErrorInfo, exchanges messages with a WebSocket client both ways, and resumes a Subscribe
// after a reconnect without loss.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eServer, PASSWORD } from '../support/e2e-fixture.js';
import { PythonApiClient } from '../support/python-api-client.js';
import { eventually } from '../support/ws-test-client.js';

describe('a Python grpcio client of the public API', () => {
  const t = e2eServer('sqlite');
  let py: PythonApiClient;
  beforeAll(async () => {
    py = await PythonApiClient.start(`127.0.0.1:${t.server.parley.grpcPort()}`);
  }, 60_000);
  afterAll(() => py.close());

  const register = async (name: string) => {
    const username = `py${name}${t.next()}`;
    const res = await py.ok('AuthService', 'Register', { username, password: PASSWORD });
    return { token: res.token as string, id: res.user.user_id as string, username, res };
  };

  it('calls every RPC, decodes ErrorInfo, and talks with a WebSocket client', async () => {
    const alice = await register('a');
    const bob = await register('b');
    const carol = await register('c');
    expect(
      (await py.ok('AuthService', 'Login', { username: alice.username, password: PASSWORD })).user
        .user_id,
    ).toBe(alice.id);
    expect((await py.ok('AuthService', 'GuestLogin', { nickname: 'Py guest' })).user.is_guest).toBe(
      true,
    );
    expect((await py.ok('AuthService', 'VerifyToken', { token: alice.token })).valid).toBe(true);
    const refreshed = await py.ok('AuthService', 'RefreshToken', {
      refresh_token: bob.res.refresh_token,
    });
    bob.token = refreshed.token as string;

    const missing = await py.call(
      'ConversationService',
      'GetConversationInfo',
      { conversation_id: 'g_none' },
      alice.token,
    );
    expect(missing).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
      reason: 'CONVERSATION_NOT_FOUND',
      domain: 'parley',
    });
    expect(missing.metadata.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect((await py.call('UserService', 'GetUser', { user_id: alice.id })).reason).toBe(
      'TOKEN_MISSING',
    );

    const opened = await py.ok(
      'ConversationService',
      'CreatePrivateConversation',
      { peer_user_id: bob.id },
      alice.token,
    );
    const conversationId = opened.conversation.conversation_id as string;
    const bobSocket = await t.connect({ access_token: bob.token });
    const sent = await py.ok(
      'MessageService',
      'SendMessage',
      {
        conversation_id: conversationId,
        message_type: 1,
        content: '{"text":"from Python"}',
        client_msg_id: 'py1',
      },
      alice.token,
    );
    expect(sent.message).toMatchObject({
      seq_id: '1',
      message_type: 1,
      sender_name: alice.res.user.nickname,
    });
    const arrived = await bobSocket.next((f) => f.event === 'message.new');
    expect(arrived.data.message.content).toEqual({ text: 'from Python' });

    const stream = await py.subscribe({}, alice.token);
    await eventually(() => py.events(stream, 'ready').length === 1);
    await bobSocket.call('message.send', {
      conversation_id: conversationId,
      client_msg_id: 'ws1',
      type: 'text',
      content: { text: 'from WebSocket' },
    });
    await eventually(() => py.events(stream, 'message.new').length === 1);
    expect(py.events(stream, 'message.new')[0]?.message.content).toBe('{"text":"from WebSocket"}');
    await py.cancel(stream);
    // Missed while disconnected, caught up on the next Subscribe.
    for (const n of [3, 4]) {
      await bobSocket.call('message.send', {
        conversation_id: conversationId,
        client_msg_id: `ws${n}`,
        type: 'text',
        content: { text: `m${n}` },
      });
    }
    const again = await py.subscribe(
      { resume: [{ conversation_id: conversationId, after_seq: 2 }] },
      alice.token,
    );
    await eventually(() => py.events(again, 'message.new').length === 2);
    expect(py.events(again, 'message.new').map((e) => [e.seq, e.replayed])).toEqual([
      ['3', true],
      ['4', true],
    ]);
    await py.cancel(again);

    const page = await py.ok(
      'MessageService',
      'GetMessages',
      { conversation_id: conversationId, page: 1, size: 2 },
      bob.token,
    );
    expect([page.messages.map((m: { seq_id: string }) => m.seq_id), page.pagination]).toEqual([
      ['3', '4'],
      { page: 1, size: 2, total: '4', has_more: true },
    ]);
    const list = await py.ok('ConversationService', 'GetConversations', {}, bob.token);
    expect(list.conversations.map((c: { conversation_id: string }) => c.conversation_id)).toContain(
      conversationId,
    );
    await py.ok(
      'ConversationService',
      'MarkConversationAsRead',
      { conversation_id: conversationId, seq: 4 },
      alice.token,
    );
    const info = await py.ok(
      'ConversationService',
      'GetConversationInfo',
      { conversation_id: conversationId },
      alice.token,
    );
    expect(info.conversation.read_seq).toBe('4');

    expect(
      (await py.ok('UserService', 'GetUser', { user_id: bob.id }, alice.token)).user.username,
    ).toBe(bob.username);
    expect(
      (await py.ok('UserService', 'SearchUser', { keyword: bob.username }, alice.token)).users,
    ).toHaveLength(1);
    const online = await py.ok(
      'UserService',
      'GetUserOnlineStatus',
      { user_ids: [bob.id] },
      alice.token,
    );
    expect(online.statuses).toEqual([{ user_id: bob.id, is_online: true }]);

    const group = await py.ok(
      'GroupService',
      'CreateGroup',
      { group_name: 'Pythonistas', member_ids: [bob.id] },
      alice.token,
    );
    const groupId = group.group.group_id as string;
    expect(
      (await py.ok('GroupService', 'GetGroup', { group_id: groupId }, bob.token)).group
        .member_count,
    ).toBe(2);
    await py.ok('GroupService', 'JoinGroup', { group_id: groupId }, carol.token);
    expect(
      (await py.ok('GroupService', 'GetGroupMembers', { group_id: groupId }, carol.token)).members,
    ).toHaveLength(3);
    const onlineMembers = await py.ok(
      'GroupService',
      'GetOnlineGroupMembers',
      { group_id: groupId },
      alice.token,
    );
    expect(onlineMembers.members).toContainEqual({
      user_id: bob.id,
      gateway_id: t.server.parley.nodeId,
    });
    await py.ok('GroupService', 'LeaveGroup', { group_id: groupId }, carol.token);
    const left = await py.call('GroupService', 'GetGroup', { group_id: 'nope' }, carol.token);
    expect([left.code, left.reason]).toEqual(['NOT_FOUND', 'GROUP_NOT_FOUND']);

    await py.ok('AuthService', 'Logout', {}, alice.token);
    expect((await py.call('UserService', 'GetUser', { user_id: bob.id }, alice.token)).reason).toBe(
      'SESSION_ENDED',
    );
  });
});
