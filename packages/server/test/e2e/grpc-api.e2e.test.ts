// The public gRPC API of seed 003 (docs/grpc.md): every unary RPC over a real @grpc/grpc-js
// client against a real server, calling the same use cases as REST and WebSocket.
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eServer, PASSWORD } from '../support/e2e-fixture.js';
import { bearer, call, grpcClients, ok } from '../support/grpc-test-client.js';
import { eventually } from '../support/ws-test-client.js';

/** A row of a response, read loosely. */
type Row = Record<string, unknown>;

describe('the public gRPC API', () => {
  const t = e2eServer('sqlite');
  let g: ReturnType<typeof grpcClients>;
  beforeAll(() => {
    g = grpcClients(`127.0.0.1:${t.server.parley.grpcPort()}`);
  });
  afterAll(() => g.close());

  const register = async (name: string) => {
    const username = `grpc${name}${t.next()}`;
    const res = await ok(g.auth, 'register', {
      username,
      password: PASSWORD,
      nickname: `Nick ${name}`,
      deviceId: '',
    });
    return { ...res, meta: bearer(res.token), id: res.user?.userId as string, username };
  };

  it('AuthService: Register, Login, GuestLogin, VerifyToken, RefreshToken, Logout', async () => {
    const alice = await register('a');
    expect(alice.user).toMatchObject({ nickname: 'Nick a', isGuest: false });
    expect(alice.header?.traceId).toMatch(/^[0-9a-f]{32}$/);
    const login = await ok(g.auth, 'login', {
      username: alice.username,
      password: PASSWORD,
      deviceId: 'grpc-laptop',
    });
    expect(login.user?.userId).toBe(alice.id);
    const wrong = await call(g.auth, 'login', { username: alice.username, password: 'nope' });
    expect([wrong.err?.code, wrong.info?.reason]).toEqual([
      status.UNAUTHENTICATED,
      'WRONG_CREDENTIALS',
    ]);
    const guest = await ok(g.auth, 'guestLogin', { nickname: 'Visitor', deviceId: '' });
    expect(guest.user?.isGuest).toBe(true);
    const verified = await ok(g.auth, 'verifyToken', { token: login.token });
    expect(verified).toMatchObject({ valid: true, userId: alice.id, sessionId: login.sessionId });
    expect((await ok(g.auth, 'verifyToken', { token: 'forged' })).valid).toBe(false);
    const refreshed = await ok(g.auth, 'refreshToken', { refreshToken: login.refreshToken });
    expect(refreshed.sessionId).toBe(login.sessionId);
    await ok(g.auth, 'logout', {}, bearer(refreshed.token));
    expect((await ok(g.auth, 'verifyToken', { token: refreshed.token })).valid).toBe(false);
  });

  it('ConversationService and MessageService: a private conversation, sends, paging, read', async () => {
    const alice = await register('a');
    const bob = await register('b');
    const opened = await ok(
      g.conversations,
      'createPrivateConversation',
      { peerUserId: bob.id },
      alice.meta,
    );
    expect(opened.created).toBe(true);
    const conversationId = opened.conversation?.conversationId as string;
    expect(opened.conversation).toMatchObject({
      type: 'single',
      target: { userId: bob.id, username: bob.username },
    });
    for (let i = 1; i <= 7; i++) {
      const sent = await ok(
        g.messages,
        'sendMessage',
        {
          conversationId,
          content: JSON.stringify({ text: `m${i}` }),
          messageType: 1,
          clientMsgId: `c${i}`,
        },
        alice.meta,
      );
      expect(sent.message).toMatchObject({
        seqId: i,
        senderName: 'Nick a',
        messageType: 1,
        type: 'text',
      });
    }
    // Idempotent by client_msg_id: the retry gets the stored message back.
    const retry = await ok(
      g.messages,
      'sendMessage',
      { conversationId, content: '{"text":"m1 again"}', messageType: 1, clientMsgId: 'c1' },
      alice.meta,
    );
    expect([retry.duplicate, retry.message?.seqId, retry.message?.content]).toEqual([
      true,
      1,
      '{"text":"m1"}',
    ]);
    const page = (n: number, beforeSeq = 0) =>
      ok(g.messages, 'getMessages', { conversationId, page: n, size: 3, beforeSeq }, bob.meta);
    const first = await page(1);
    expect(first.messages.map((m: Row) => m.seqId)).toEqual([5, 6, 7]);
    expect(first.pagination).toEqual({ page: 1, size: 3, total: 7, hasMore: true });
    expect((await page(3)).messages.map((m: Row) => m.seqId)).toEqual([1]);
    expect((await page(3)).pagination?.hasMore).toBe(false);
    expect((await page(4)).messages).toEqual([]);
    const before = await page(1, 4);
    expect([before.messages.map((m: Row) => m.seqId), before.pagination?.total]).toEqual([
      [1, 2, 3],
      3,
    ]);
    expect(first.messages[0]).toMatchObject({ senderId: alice.id, senderName: 'Nick a' });

    const listed = await ok(g.conversations, 'getConversations', {}, bob.meta);
    const mine = listed.conversations.find((c: Row) => c.conversationId === conversationId);
    expect(mine).toMatchObject({ unreadCount: 7, lastMessageSeq: 7, lastMessage: '{"text":"m7"}' });
    await ok(g.conversations, 'markConversationAsRead', { conversationId, seq: 7 }, bob.meta);
    const info = await ok(g.conversations, 'getConversationInfo', { conversationId }, bob.meta);
    expect([info.conversation?.unreadCount, info.conversation?.readSeq]).toEqual([0, 7]);
    const other = await call(g.conversations, 'getConversations', { userId: alice.id }, bob.meta);
    expect([other.err?.code, other.info?.reason]).toEqual([
      status.PERMISSION_DENIED,
      'USER_ID_MISMATCH',
    ]);
  });

  it('SendMessage by to_user_id, group_id or a named type; bad types and content are INVALID_ARGUMENT', async () => {
    const alice = await register('a');
    const bob = await register('b');
    const send = (req: Record<string, unknown>) =>
      call(g.messages, 'sendMessage', { clientMsgId: `x${t.next()}`, ...req }, alice.meta);
    const direct = await send({
      toUserId: bob.id,
      type: 'image',
      content: '{"url":"https://x.test/a.png"}',
    });
    expect(direct.res?.message).toMatchObject({ messageType: 2, type: 'image' });
    for (const [req, field] of [
      [{ toUserId: bob.id, messageType: 99, content: '{"text":"x"}' }, 'message_type'],
      [{ toUserId: bob.id, messageType: 1, type: 'image', content: '{"text":"x"}' }, 'type'],
      [{ toUserId: bob.id, messageType: 1, content: 'plain text' }, 'content'],
      [{ toUserId: bob.id, messageType: 1, content: '[1]' }, 'content'],
      [
        { toUserId: bob.id, messageType: 1, content: JSON.stringify({ text: 'x'.repeat(70_000) }) },
        'content',
      ],
      [{ toUserId: 'bad id!', messageType: 1, content: '{"text":"x"}' }, 'to_user_id'],
    ] as const) {
      const answer = await send(req);
      expect(
        [answer.err?.code, answer.info?.metadata.field],
        JSON.stringify(req).slice(0, 80),
      ).toEqual([status.INVALID_ARGUMENT, field]);
    }
  });

  it('UserService: GetUser, SearchUser, GetUserOnlineStatus for contacts only', async () => {
    const alice = await register('ua');
    const bob = await register('ub');
    const carol = await register('uc');
    const got = await ok(g.users, 'getUser', { userId: bob.id }, alice.meta);
    expect(got.user).toMatchObject({ userId: bob.id, username: bob.username, nickname: 'Nick ub' });
    const found = await ok(g.users, 'searchUser', { keyword: bob.username, limit: 5 }, alice.meta);
    expect(found.users.map((u: Row) => u.userId)).toEqual([bob.id]);
    const missing = await call(g.users, 'getUser', { userId: 'nobody' }, alice.meta);
    expect([missing.err?.code, missing.info?.reason]).toEqual([status.NOT_FOUND, 'USER_NOT_FOUND']);

    await ok(g.conversations, 'createPrivateConversation', { peerUserId: bob.id }, alice.meta);
    const status0 = await ok(g.users, 'getUserOnlineStatus', { userIds: [bob.id] }, alice.meta);
    expect(status0.statuses).toEqual([{ userId: bob.id, isOnline: false, lastSeen: 0 }]);
    const socket = await t.connect({ access_token: bob.token });
    await eventually(async () => {
      const s = await ok(
        g.users,
        'getUserOnlineStatus',
        { userIds: [bob.id, alice.id] },
        alice.meta,
      );
      return s.statuses[0]?.isOnline === true;
    });
    socket.close();
    const stranger = await call(
      g.users,
      'getUserOnlineStatus',
      { userIds: [carol.id] },
      alice.meta,
    );
    expect([stranger.err?.code, stranger.info?.reason]).toEqual([
      status.PERMISSION_DENIED,
      'NOT_A_CONTACT',
    ]);
  });

  it('GroupService: create, get, members, join, online members with their gateway, leave', async () => {
    const owner = await register('go');
    const member = await register('gm');
    const joiner = await register('gj');
    const created = await ok(
      g.groups,
      'createGroup',
      {
        groupName: 'gRPC people',
        memberIds: [member.id],
        avatarUrl: '',
        notice: 'hi',
        joinPolicy: '',
      },
      owner.meta,
    );
    const groupId = created.group?.groupId as string;
    expect(created.group).toMatchObject({
      groupName: 'gRPC people',
      ownerId: owner.id,
      memberCount: 2,
    });
    expect(created.conversation).toMatchObject({
      type: 'group',
      target: { groupId, groupName: 'gRPC people' },
    });
    expect((await ok(g.groups, 'getGroup', { groupId }, member.meta)).group?.notice).toBe('hi');
    await ok(g.groups, 'joinGroup', { groupId, message: '' }, joiner.meta);
    const members = await ok(g.groups, 'getGroupMembers', { groupId, limit: 10 }, joiner.meta);
    expect(members.members.map((m: Row) => m.userId).sort()).toEqual(
      [owner.id, member.id, joiner.id].sort(),
    );
    expect(members.members.find((m: Row) => m.userId === owner.id)?.role).toBe('owner');

    const socket = await t.connect({ access_token: member.token });
    await eventually(async () => {
      const online = await ok(g.groups, 'getOnlineGroupMembers', { groupId }, owner.meta);
      return online.members.some(
        (m: Row) => m.userId === member.id && m.gatewayId === t.server.parley.nodeId,
      );
    });
    socket.close();
    await ok(g.groups, 'leaveGroup', { groupId }, joiner.meta);
    const left = await call(g.groups, 'getGroupMembers', { groupId }, joiner.meta);
    expect([left.err?.code, left.info?.reason]).toEqual([status.PERMISSION_DENIED, 'NOT_A_MEMBER']);
    const ownerLeaves = await call(g.groups, 'leaveGroup', { groupId }, owner.meta);
    expect(ownerLeaves.info?.reason).toBe('OWNER_CANNOT_LEAVE');
  });
});
