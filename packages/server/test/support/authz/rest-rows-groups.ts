import { groupAdmins, groupOwner, inGroup, signedIn, type Variant } from './cells.js';
import { group } from './rest-requests.js';

/** Groups: moderation, membership, join requests. */
export const GROUP_ROWS: Readonly<Record<string, readonly Variant[]>> = {
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
  'GET /v1/groups/invitations': [
    { on: 'own invitations', request: () => ({}), expect: signedIn(200) },
  ],
  // Only outsider has an invitation pending (to G); the others have none to answer.
  'POST /v1/groups/invitations/:group_id/accept': [
    {
      on: 'the invitation to the group',
      request: (fx) => ({ path: `/v1/groups/invitations/${fx.groupId}/accept` }),
      expect: signedIn(404, { outsider: 200 }),
    },
  ],
  'POST /v1/groups/invitations/:group_id/decline': [
    {
      on: 'the invitation to the group',
      request: (fx) => ({ path: `/v1/groups/invitations/${fx.groupId}/decline` }),
      expect: signedIn(404, { outsider: 200 }),
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
};
