import {
  groupAdmins,
  groupOwner,
  inGroup,
  inSingle,
  ownSeq,
  signedIn,
  singleSeq,
  type Variant,
} from './cells.js';
import { conv, fresh, single, text, world } from './rest-requests.js';

/** Conversations and messages, in the group, the world and single conversations. */
export const CONVERSATION_ROWS: Readonly<Record<string, readonly Variant[]>> = {
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
      // A recall only takes words away: a muted sender may (docs/protocol.md).
      expect: inGroup(200),
    },
    {
      on: "blocked's own message to peer (peer's for the others)",
      request: (fx, role) => single(`/messages/${singleSeq(fx, role)}/recall`)(fx, role),
      // Only the sender recalls; the peer's block does not stop it.
      expect: inSingle(403, 200),
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
};
