import { expect } from 'vitest';
import { json, type RawResponse, type TestServer } from '../test-server.js';

/** The roles every route and op is tried as (docs/reliability.md, "Authorisation matrix"). */
export const ROLES = [
  'anonymous',
  'outsider',
  'member',
  'admin',
  'owner',
  'blocked',
  'muted',
] as const;
export type Role = (typeof ROLES)[number];

/**
 * The server the matrix runs against: the shipped group-add policy (`friends`: non-friends are
 * invited, not added), and room for the many accounts the fixtures register.
 */
export const MATRIX_SETTINGS = { signup_limit: 1_000_000, group_add_policy: 'friends' };

/** The users of one fixture: the seven roles, and the users they act upon. */
const USERS = [
  'outsider',
  'member',
  'admin',
  'owner',
  'blocked',
  'muted',
  'peer',
  'target',
  'applicant',
] as const;
type UserName = (typeof USERS)[number];

export interface Account {
  readonly username: string;
  readonly userId: string;
  readonly token: string;
  readonly refreshToken: string;
  readonly sessionId: string;
}

/**
 * One small world of users in every relation the matrix needs, built fresh per cell so a
 * refused call can be checked for side effects and an allowed one cannot spoil the next:
 * - group G (join policy `approval`): owner, admin, member, muted (muted for an hour), target
 *   (a plain member the moderation routes act upon); applicant has a pending join request;
 *   every member but target posted one message before the mute (`seqs`); outsider is invited
 *   to G (an invitation pending, not a member);
 * - world W, created by owner, with the same members and roles;
 * - single conversations peer↔member and peer↔blocked; blocked wrote first, then peer
 *   blocked them;
 * - a pending friend request from target to member;
 * - outsider has no other relation to anyone.
 */
export interface Fixture {
  readonly users: Readonly<Record<UserName, Account>>;
  readonly groupId: string;
  readonly groupConversationId: string;
  readonly worldConversationId: string;
  readonly dmConversationId: string;
  readonly blockedConversationId: string;
  readonly friendRequestId: string;
  /** Each role's own message in the group conversation (or in its single conversation). */
  readonly seqs: Readonly<Partial<Record<Role, number>>>;
  /** The bearer header of a role, or none for `anonymous`. */
  headers(role: Role): Record<string, string>;
}

let counter = 0;
export const PASSWORD = 'correct horse battery';

export async function buildFixture(server: TestServer): Promise<Fixture> {
  const tag = `${process.pid.toString(36)}${(counter++).toString(36)}`;
  const accounts = await Promise.all(
    USERS.map(async (name) => {
      const username = `${name.slice(0, 8)}${tag}`;
      const res = await server.fetch('/v1/auth/register', json({ username, password: PASSWORD }));
      ok(res, `register ${name}`);
      return [
        name,
        {
          username,
          userId: res.body.user.user_id as string,
          token: res.body.access_token as string,
          refreshToken: res.body.refresh_token as string,
          sessionId: res.body.session_id as string,
        },
      ] as const;
    }),
  );
  const users = Object.fromEntries(accounts) as Record<UserName, Account>;
  const as = (name: UserName) => ({ authorization: `Bearer ${users[name].token}` });
  const post = async (name: UserName, path: string, body: unknown = {}) => {
    const res = await server.fetch(path, json(body, as(name)));
    ok(res, `${name} POST ${path}`);
    return res.body;
  };
  const say = async (name: UserName, target: Record<string, string>) => {
    const body = await post(name, `/v1/conversations/${target.conversation_id}/messages`, {
      client_msg_id: `fx-${name}`,
      type: 'text',
      content: { text: `hello from ${name}` },
    });
    return body.message.seq as number;
  };

  // Friends of the owner, so that adding them to a group needs no invitation; outsider, not a
  // friend, is invited.
  const friends: UserName[] = ['admin', 'member', 'muted', 'target'];
  await Promise.all(
    friends.map(async (name) => {
      await post('owner', '/v1/friends/requests', { user_id: users[name].userId });
      await post(name, '/v1/friends/requests', { user_id: users.owner.userId });
    }),
  );
  const [created, world] = await Promise.all([
    post('owner', '/v1/groups', {
      name: 'Matrix',
      member_ids: [...friends, 'outsider' as const].map((name) => users[name].userId),
      join_policy: 'approval',
    }),
    post('owner', '/v1/worlds', { name: `World ${tag}` }),
  ]);
  expect(created.invited, 'outsider is invited').toEqual([users.outsider.userId]);
  const groupId = created.group.group_id as string;
  const groupConversationId = created.group.conversation_id as string;
  const worldConversationId = world.world.conversation_id as string;
  const seqs: Partial<Record<Role, number>> = {};
  const inGroup = async () => {
    await post('owner', `/v1/groups/${groupId}/members/${users.admin.userId}/role`, {
      role: 'admin',
    });
    await Promise.all(
      (['owner', 'admin', 'member', 'muted'] as const).map(async (name) => {
        seqs[name] = await say(name, { conversation_id: groupConversationId });
      }),
    );
    await Promise.all([
      post('owner', `/v1/groups/${groupId}/members/${users.muted.userId}/mute`, {
        duration_s: 3600,
      }),
      post('applicant', `/v1/groups/${groupId}/join`, { message: 'let me in' }),
    ]);
  };
  const inWorld = async () => {
    const w = `/v1/conversations/${worldConversationId}`;
    await Promise.all(friends.map((name) => post(name, `${w}/join`)));
    await Promise.all([
      post('owner', `${w}/members/${users.admin.userId}/role`, { role: 'admin' }),
      post('owner', `${w}/members/${users.muted.userId}/mute`, { duration_s: 3600 }),
    ]);
  };
  const singles = async () => {
    const [dm, blockedDm] = await Promise.all([
      post('member', '/v1/conversations', { user_id: users.peer.userId }),
      post('blocked', '/v1/conversations', { user_id: users.peer.userId }),
    ]);
    const blockedConversationId = blockedDm.conversation.conversation_id as string;
    const dmConversationId = dm.conversation.conversation_id as string;
    await say('peer', { conversation_id: dmConversationId });
    seqs.blocked = await say('blocked', { conversation_id: blockedConversationId });
    const blockRes = await server.fetch(
      '/v1/blocks',
      json({ user_id: users.blocked.userId }, as('peer')),
    );
    expect(blockRes.status, 'peer blocks blocked').toBe(204);
    return { dmConversationId, blockedConversationId };
  };
  const [, , { dmConversationId, blockedConversationId }, request] = await Promise.all([
    inGroup(),
    inWorld(),
    singles(),
    post('target', '/v1/friends/requests', { user_id: users.member.userId }),
  ]);

  return {
    users,
    groupId,
    groupConversationId,
    worldConversationId,
    dmConversationId,
    blockedConversationId,
    friendRequestId: request.request.request_id as string,
    seqs,
    headers: (role) => (role === 'anonymous' ? {} : as(role)),
  };
}

function ok(res: RawResponse, what: string): void {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
}
