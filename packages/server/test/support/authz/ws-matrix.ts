import type { Fixture, Role } from './fixture.js';
import {
  groupConversation,
  inGroup,
  inSingle,
  ownSeq,
  signedIn,
  singleConversation,
  singleSeq,
  type Variant,
} from './cells.js';

let unique = 0;
const fresh = () => `w${process.pid.toString(36)}x${(unique++).toString(36)}`;
const text = { type: 'text', content: { text: 'hi' } };

const inGroupConversation =
  (data: (fx: Fixture, role: Role) => Record<string, unknown> = () => ({})) =>
  (fx: Fixture, role: Role) => ({
    body: { conversation_id: groupConversation(fx), ...data(fx, role) },
  });
const inSingleConversation =
  (data: (fx: Fixture, role: Role) => Record<string, unknown> = () => ({})) =>
  (fx: Fixture, role: Role) => ({
    body: { conversation_id: singleConversation(fx, role), ...data(fx, role) },
  });

/** Reads in a conversation: members (the muted too) and both users of a single one. */
const read = (data?: (fx: Fixture, role: Role) => Record<string, unknown>): Variant[] => [
  { on: 'the group conversation', request: inGroupConversation(data), expect: inGroup(200) },
  {
    on: 'a single conversation',
    request: inSingleConversation(data),
    expect: inSingle(200, 200),
  },
];

/**
 * Every WebSocket op (src/transports/ws/ws-ops.ts) and what each role gets: 200 is `ok: true`,
 * an error status stands for its code (`WS_CODES`), 401 for the refused upgrade. The matrix
 * test fails on an op missing here.
 */
export const WS_MATRIX: Readonly<Record<string, readonly Variant[]>> = {
  ping: [{ on: 'nothing', request: () => ({ body: {} }), expect: signedIn(200) }],
  'message.send': [
    {
      on: 'the group conversation',
      request: inGroupConversation(() => ({ client_msg_id: fresh(), ...text })),
      expect: inGroup(200, { muted: 403 }),
    },
    {
      on: 'a single conversation',
      request: inSingleConversation(() => ({ client_msg_id: fresh(), ...text })),
      expect: inSingle(200, 403),
    },
    {
      on: 'peer, by to_user_id',
      request: (fx) => ({
        body: { to_user_id: fx.users.peer.userId, client_msg_id: fresh(), ...text },
      }),
      expect: signedIn(200, { blocked: 403 }),
    },
    {
      on: 'the group, by group_id',
      request: (fx) => ({ body: { group_id: fx.groupId, client_msg_id: fresh(), ...text } }),
      expect: inGroup(200, { muted: 403 }),
    },
  ],
  'message.history': read(),
  'message.changes': read(),
  'message.recall': [
    {
      on: "the role's own group message",
      request: inGroupConversation((fx, role) => ({ seq: ownSeq(fx, role) })),
      // A recall only takes words away: a muted sender may (docs/protocol.md).
      expect: inGroup(200),
    },
    {
      on: "blocked's own message to peer (peer's for the others)",
      request: inSingleConversation((fx, role) => ({ seq: singleSeq(fx, role) })),
      // Only the sender recalls; the peer's block does not stop it.
      expect: inSingle(403, 200),
    },
  ],
  'message.edit': [
    {
      on: "the role's own group message",
      request: inGroupConversation((fx, role) => ({
        seq: ownSeq(fx, role),
        content: { text: 'edited' },
      })),
      expect: inGroup(200, { muted: 403 }),
    },
    {
      on: "blocked's own message to peer (peer's for the others)",
      request: inSingleConversation((fx, role) => ({
        seq: singleSeq(fx, role),
        content: { text: 'edited' },
      })),
      expect: inSingle(403, 403),
    },
  ],
  'message.delivered': read(() => ({ seq: 1 })),
  'conversation.list': [{ on: 'own list', request: () => ({ body: {} }), expect: signedIn(200) }],
  'conversation.get': read(),
  'conversation.create': [
    {
      on: 'a single conversation with peer',
      request: (fx) => ({ body: { user_id: fx.users.peer.userId } }),
      expect: signedIn(200, { blocked: 403 }),
    },
  ],
  'conversation.join': [
    {
      on: 'the world',
      request: (fx) => ({ body: { conversation_id: fx.worldConversationId } }),
      expect: signedIn(200, { blocked: null }),
    },
    {
      on: 'the group conversation',
      request: inGroupConversation(),
      expect: inGroup(403),
    },
  ],
  'conversation.read': read(() => ({ seq: 1 })),
  typing: [
    {
      on: 'the group conversation',
      request: inGroupConversation(),
      expect: inGroup(200, { muted: 403 }),
    },
    {
      on: 'a single conversation',
      request: inSingleConversation(),
      expect: inSingle(200, 403),
    },
  ],
};
