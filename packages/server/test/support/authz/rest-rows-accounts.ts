import { anyone, signedIn, type Variant } from './cells.js';
import { PASSWORD } from './fixture.js';
import { docs, fresh, page, who } from './rest-requests.js';

/** Documentation, operations, accounts, users, friends, blocks and worlds. */
export const ACCOUNT_ROWS: Readonly<Record<string, readonly Variant[]>> = {
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
  // Operator only, and off without PARLEY_ADMIN_TOKEN (the matrix server sets none): a user's
  // access token never opens it (admin-nodes.e2e.test.ts checks the operator token).
  'GET /v1/admin/nodes': [
    { on: 'no admin token configured', request: page('/v1/admin/nodes'), expect: anyone(404) },
  ],
  // Worker tokens (seed 001): the same operator guard (worker-tokens.e2e.test.ts checks it).
  'POST /v1/admin/worker-tokens': [
    {
      on: 'no admin token configured',
      request: () => ({ body: { name: 'crawler' } }),
      expect: anyone(404),
    },
  ],
  'GET /v1/admin/worker-tokens': [
    {
      on: 'no admin token configured',
      request: page('/v1/admin/worker-tokens'),
      expect: anyone(404),
    },
  ],
  // Workers only: a user's access token is not a worker token (bridge-sync.e2e.test.ts).
  'POST /v1/bridge/sync': [
    {
      on: "a user's token in place of a worker token",
      request: () => ({
        body: { accountId: 'a', platform: 'p', snapshot: { data: {} }, timestamp: 1 },
      }),
      expect: anyone(401),
    },
  ],
  // Grants: the operator or the owning worker token, never a user's token (bridge-grants.e2e).
  'POST /v1/bridge/accounts/:account_id/grants': [
    {
      on: "a user's token in place of the admin or a worker token",
      request: (fx, role) => ({
        path: '/v1/bridge/accounts/acc-1/grants',
        body: { user_id: who(fx, role).userId },
      }),
      expect: anyone(401),
    },
  ],
  'DELETE /v1/bridge/accounts/:account_id/grants/:user_id': [
    {
      on: "a user's token in place of the admin or a worker token",
      request: (fx, role) => ({ path: `/v1/bridge/accounts/acc-1/grants/${who(fx, role).userId}` }),
      expect: anyone(401),
    },
  ],
  // The IM read API: granted users only; nobody in the matrix is granted (bridge-read.e2e).
  ...Object.fromEntries(
    ['conversations', 'messages', 'discussions', 'contents', 'unified-messages'].map((name) => [
      `GET /api/im/${name}`,
      [
        {
          on: 'an account not granted',
          request: page(`/api/im/${name}?account_id=acc-1`),
          expect: signedIn(403),
        },
      ],
    ]),
  ),
  'DELETE /v1/admin/worker-tokens/:id': [
    {
      on: 'no admin token configured',
      request: () => ({ path: '/v1/admin/worker-tokens/any' }),
      expect: anyone(404),
    },
  ],
  // Bridge accounts and their owners: the same operator guard (bridge-account-move.e2e checks it).
  'GET /v1/admin/bridge-accounts': [
    {
      on: 'no admin token configured',
      request: page('/v1/admin/bridge-accounts'),
      expect: anyone(404),
    },
  ],
  'PUT /v1/admin/bridge-accounts/:platform/:account_id/owner': [
    {
      on: 'no admin token configured',
      request: () => ({
        path: '/v1/admin/bridge-accounts/douyin/acc-1/owner',
        body: { worker_token_id: 'any' },
      }),
      expect: anyone(404),
    },
  ],

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
