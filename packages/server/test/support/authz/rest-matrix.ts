import type { Fixture, Role } from './fixture.js';
import { PASSWORD } from './fixture.js';
import {
  anyone,
  groupAdmins,
  groupConversation,
  groupOwner,
  inGroup,
  inSingle,
  ownSeq,
  signedIn,
  singleConversation,
  singleSeq,
  type Variant,
} from './cells.js';

const who = (fx: Fixture, role: Role) => fx.users[role === 'anonymous' ? 'member' : role];
const text = (t: string) => ({ type: 'text', content: { text: t } });
let unique = 0;
const fresh = () => `m${process.pid.toString(36)}x${(unique++).toString(36)}`;

const page = (path: string) => (): { path: string } => ({ path });
const conv =
  (suffix = '', body?: (fx: Fixture, role: Role) => unknown) =>
  (fx: Fixture, role: Role) => ({
    path: `/v1/conversations/${groupConversation(fx)}${suffix}`,
    body: body?.(fx, role),
  });
const single =
  (suffix = '', body?: (fx: Fixture, role: Role) => unknown) =>
  (fx: Fixture, role: Role) => ({
    path: `/v1/conversations/${singleConversation(fx, role)}${suffix}`,
    body: body?.(fx, role),
  });
const world =
  (suffix = '', body?: (fx: Fixture, role: Role) => unknown) =>
  (fx: Fixture, role: Role) => ({
    path: `/v1/conversations/${fx.worldConversationId}${suffix}`,
    body: body?.(fx, role),
  });
const group =
  (suffix = '', body?: (fx: Fixture, role: Role) => unknown) =>
  (fx: Fixture, role: Role) => ({
    path: `/v1/groups/${fx.groupId}${suffix}`,
    body: body?.(fx, role),
  });

const docs = (path: string): readonly Variant[] => [
  { on: 'the API documentation', request: page(path), expect: anyone(200) },
];

/**
 * Every REST route (`METHOD path` as Fastify registered it) and what each role gets. The
 * matrix test fails on a route missing here, so a new route cannot ship without its row.
 */
export const REST_MATRIX: Readonly<Record<string, readonly Variant[]>> = {
  'GET /docs': docs('/docs'),
  'GET /docs/': docs('/docs/'),
  'GET /docs/static/index.html': docs('/docs/static/index.html'),
  'GET /docs/static/swagger-initializer.js': docs('/docs/static/swagger-initializer.js'),
  'GET /docs/*': docs('/docs/static/swagger-ui.css'),
  'GET /docs/json': docs('/docs/json'),
  'GET /docs/yaml': docs('/docs/yaml'),
  'GET /openapi.json': docs('/openapi.json'),
  'GET /health': [{ on: 'operations', request: page('/health'), expect: anyone(200) }],
  'GET /ready': [{ on: 'operations', request: page('/ready'), expect: anyone(200) }],
  'GET /metrics': [{ on: 'operations', request: page('/metrics'), expect: anyone(200) }],
  'GET /v1/ws': [{ on: 'a plain GET', request: page('/v1/ws'), expect: anyone(426) }],

  'POST /v1/auth/register': [
    {
      on: 'a new name',
      request: () => ({ body: { username: fresh(), password: PASSWORD } }),
      expect: anyone(201),
    },
  ],
  'POST /v1/auth/login': [
    {
      on: "the role's own account (member's when signed out)",
      request: (fx, role) => ({ body: { username: who(fx, role).username, password: PASSWORD } }),
      expect: anyone(200),
    },
  ],
  'POST /v1/auth/guest': [{ on: 'a guest', request: () => ({ body: {} }), expect: anyone(201) }],
  'POST /v1/auth/refresh': [
    {
      on: "the role's own refresh token",
      request: (fx, role) => ({ body: { refresh_token: who(fx, role).refreshToken } }),
      expect: anyone(200),
    },
  ],
  'POST /v1/auth/verify': [
    {
      on: "the role's own access token",
      request: (fx, role) => ({ body: { access_token: who(fx, role).token } }),
      expect: anyone(200),
    },
  ],
  'POST /v1/auth/logout': [{ on: 'own session', request: () => ({}), expect: signedIn(204) }],
  'GET /v1/auth/sessions': [{ on: 'own sessions', request: () => ({}), expect: signedIn(200) }],
  'DELETE /v1/auth/sessions/:id': [
    {
      on: "member's session",
      request: (fx) => ({ path: `/v1/auth/sessions/${fx.users.member.sessionId}` }),
      expect: signedIn(404, { member: 204 }),
    },
  ],

  'GET /v1/users/me': [{ on: 'self', request: () => ({}), expect: signedIn(200) }],
  'PATCH /v1/users/me': [
    { on: 'self', request: () => ({ body: { nickname: 'Renamed' } }), expect: signedIn(200) },
  ],
  'GET /v1/users/:user_id': [
    {
      on: 'another user',
      request: (fx) => ({ path: `/v1/users/${fx.users.target.userId}` }),
      expect: signedIn(200),
    },
  ],
  'GET /v1/users': [
    { on: 'a search', request: page('/v1/users?query=target'), expect: signedIn(200) },
  ],

  'GET /v1/conversations': [{ on: 'own list', request: () => ({}), expect: signedIn(200) }],
  'POST /v1/conversations': [
    {
      on: 'a single conversation with peer',
      request: (fx) => ({ body: { user_id: fx.users.peer.userId } }),
      expect: signedIn(201, { member: 200, blocked: 403 }),
    },
  ],
  'GET /v1/conversations/:id': [
    { on: 'the group conversation', request: conv(), expect: inGroup(200) },
    { on: 'a single conversation', request: single(), expect: inSingle(200, 200) },
  ],
  'POST /v1/conversations/:id/join': [
    { on: 'the world', request: world('/join'), expect: signedIn(200, { blocked: null }) },
    { on: 'the group conversation', request: conv('/join'), expect: inGroup(403) },
    { on: 'a single conversation', request: single('/join'), expect: inSingle(403, 403) },
  ],
  'GET /v1/conversations/:id/messages': [
    { on: 'the group conversation', request: conv('/messages'), expect: inGroup(200) },
    { on: 'a single conversation', request: single('/messages'), expect: inSingle(200, 200) },
  ],
  'POST /v1/conversations/:id/messages': [
    {
      on: 'the group conversation',
      request: conv('/messages', () => ({ client_msg_id: fresh(), ...text('hi') })),
      expect: inGroup(201, { muted: 403 }),
    },
    {
      on: 'a single conversation',
      request: single('/messages', () => ({ client_msg_id: fresh(), ...text('hi') })),
      expect: inSingle(201, 403),
    },
  ],
  'PATCH /v1/conversations/:id/messages/:seq': [
    {
      on: "the role's own group message",
      request: (fx, role) =>
        conv(`/messages/${ownSeq(fx, role)}`, () => ({ content: { text: 'edited' } }))(fx, role),
      expect: inGroup(200, { muted: 403 }),
    },
    {
      on: "blocked's own message to peer (peer's for the others)",
      request: (fx, role) =>
        single(`/messages/${singleSeq(fx, role)}`, () => ({ content: { text: 'edited' } }))(
          fx,
          role,
        ),
      expect: inSingle(403, 403),
    },
  ],
  'POST /v1/conversations/:id/messages/:seq/recall': [
    {
      on: "the role's own group message",
      request: (fx, role) => conv(`/messages/${ownSeq(fx, role)}/recall`)(fx, role),
      expect: inGroup(200, { muted: 403 }),
    },
    {
      on: "blocked's own message to peer (peer's for the others)",
      request: (fx, role) => single(`/messages/${singleSeq(fx, role)}/recall`)(fx, role),
      expect: inSingle(403, 403),
    },
  ],
  'GET /v1/conversations/:id/changes': [
    { on: 'the group conversation', request: conv('/changes'), expect: inGroup(200) },
    { on: 'a single conversation', request: single('/changes'), expect: inSingle(200, 200) },
  ],
  'POST /v1/conversations/:id/read': [
    {
      on: 'the group conversation',
      request: conv('/read', () => ({ seq: 1 })),
      expect: inGroup(204),
    },
    {
      on: 'a single conversation',
      request: single('/read', () => ({ seq: 1 })),
      expect: inSingle(204, 204),
    },
  ],
  'POST /v1/conversations/:id/leave': [
    {
      on: 'the world (leaving one you are not in is a no-op)',
      request: world('/leave'),
      expect: inGroup(204, { owner: 409, outsider: 204 }),
    },
    {
      on: 'the group conversation (groups are left through the group API)',
      request: conv('/leave'),
      expect: inGroup(409, { outsider: 409 }),
    },
  ],
  'POST /v1/conversations/:id/members/:user_id/role': [
    {
      on: 'the world, target made admin',
      request: (fx, role) =>
        world(`/members/${fx.users.target.userId}/role`, () => ({ role: 'admin' }))(fx, role),
      expect: groupOwner(204),
    },
  ],
  'POST /v1/conversations/:id/members/:user_id/mute': [
    {
      on: 'the world, target muted',
      request: (fx, role) =>
        world(`/members/${fx.users.target.userId}/mute`, () => ({ duration_s: 60 }))(fx, role),
      expect: groupAdmins(204),
    },
  ],
  'POST /v1/conversations/:id/mute': [
    {
      on: 'the world, everyone muted',
      request: world('/mute', () => ({ muted: true })),
      expect: groupAdmins(204),
    },
  ],

  'POST /v1/groups': [
    {
      on: 'a new group',
      request: () => ({ body: { name: 'Mine', member_ids: [] } }),
      expect: signedIn(201),
    },
  ],
  'GET /v1/groups/:group_id': [
    { on: 'a group asking approval', request: group(), expect: signedIn(200, { blocked: null }) },
  ],
  'PATCH /v1/groups/:group_id': [
    { on: 'the group', request: group('', () => ({ notice: 'new' })), expect: groupAdmins(200) },
  ],
  'DELETE /v1/groups/:group_id': [{ on: 'the group', request: group(), expect: groupOwner(204) }],
  'GET /v1/groups/:group_id/members': [
    { on: 'the group', request: group('/members'), expect: inGroup(200) },
  ],
  'POST /v1/groups/:group_id/members': [
    {
      on: 'the group, adding peer',
      request: (fx, role) =>
        group('/members', () => ({ user_ids: [fx.users.peer.userId] }))(fx, role),
      expect: groupAdmins(200),
    },
  ],
  'DELETE /v1/groups/:group_id/members/:user_id': [
    {
      on: 'the group, kicking target',
      request: (fx, role) => group(`/members/${fx.users.target.userId}`)(fx, role),
      expect: groupAdmins(204),
    },
  ],
  'POST /v1/groups/:group_id/join': [
    {
      on: 'a group asking approval',
      request: group('/join', () => ({})),
      expect: inGroup(200, { outsider: 202 }),
    },
  ],
  'GET /v1/groups/:group_id/join-requests': [
    { on: 'the group', request: group('/join-requests'), expect: groupAdmins(200) },
  ],
  'POST /v1/groups/:group_id/join-requests/:user_id/approve': [
    {
      on: "applicant's request",
      request: (fx, role) => group(`/join-requests/${fx.users.applicant.userId}/approve`)(fx, role),
      expect: groupAdmins(200),
    },
  ],
  'POST /v1/groups/:group_id/join-requests/:user_id/reject': [
    {
      on: "applicant's request",
      request: (fx, role) => group(`/join-requests/${fx.users.applicant.userId}/reject`)(fx, role),
      expect: groupAdmins(200),
    },
  ],
  'POST /v1/groups/:group_id/leave': [
    { on: 'the group', request: group('/leave'), expect: inGroup(204, { owner: 409 }) },
  ],
  'POST /v1/groups/:group_id/transfer': [
    {
      on: 'the group, to target',
      request: (fx, role) =>
        group('/transfer', () => ({ user_id: fx.users.target.userId }))(fx, role),
      expect: groupOwner(204),
    },
  ],
  'POST /v1/groups/:group_id/members/:user_id/role': [
    {
      on: 'the group, target made admin',
      request: (fx, role) =>
        group(`/members/${fx.users.target.userId}/role`, () => ({ role: 'admin' }))(fx, role),
      expect: groupOwner(204),
    },
  ],
  'POST /v1/groups/:group_id/members/:user_id/mute': [
    {
      on: 'the group, target muted',
      request: (fx, role) =>
        group(`/members/${fx.users.target.userId}/mute`, () => ({ duration_s: 60 }))(fx, role),
      expect: groupAdmins(204),
    },
  ],
  'POST /v1/groups/:group_id/mute': [
    {
      on: 'the group, everyone muted',
      request: group('/mute', () => ({ muted: true })),
      expect: groupAdmins(204),
    },
  ],

  'GET /v1/worlds': [{ on: 'the list', request: () => ({}), expect: signedIn(200) }],
  'POST /v1/worlds': [
    { on: 'a new world', request: () => ({ body: { name: fresh() } }), expect: signedIn(201) },
  ],

  'POST /v1/friends/requests': [
    {
      on: 'a request to peer',
      request: (fx) => ({ body: { user_id: fx.users.peer.userId } }),
      expect: signedIn(201, { blocked: 403 }),
    },
  ],
  'GET /v1/friends/requests': [{ on: 'own requests', request: () => ({}), expect: signedIn(200) }],
  'POST /v1/friends/requests/:request_id/accept': [
    {
      on: "target's request to member",
      request: (fx) => ({ path: `/v1/friends/requests/${fx.friendRequestId}/accept` }),
      expect: signedIn(404, { member: 200 }),
    },
  ],
  'POST /v1/friends/requests/:request_id/reject': [
    {
      on: "target's request to member",
      request: (fx) => ({ path: `/v1/friends/requests/${fx.friendRequestId}/reject` }),
      expect: signedIn(404, { member: 200 }),
    },
  ],
  'GET /v1/friends': [{ on: 'own friends', request: () => ({}), expect: signedIn(200) }],
  'DELETE /v1/friends/:user_id': [
    {
      on: 'target',
      request: (fx) => ({ path: `/v1/friends/${fx.users.target.userId}` }),
      expect: signedIn(204),
    },
  ],
  'POST /v1/blocks': [
    {
      on: 'target',
      request: (fx) => ({ body: { user_id: fx.users.target.userId } }),
      expect: signedIn(204),
    },
  ],
  'GET /v1/blocks': [{ on: 'own blocks', request: () => ({}), expect: signedIn(200) }],
  'DELETE /v1/blocks/:user_id': [
    {
      on: 'target',
      request: (fx) => ({ path: `/v1/blocks/${fx.users.target.userId}` }),
      expect: signedIn(204),
    },
  ],
};
