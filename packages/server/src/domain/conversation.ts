/** Conversations: single (two users), group and world (a public channel anyone may join). */
import { invalidArgument } from './errors.js';

export const CONVERSATION_TYPES = ['single', 'group', 'world'] as const;
export type ConversationType = (typeof CONVERSATION_TYPES)[number];

export interface ConversationRecord {
  readonly id: string;
  readonly type: ConversationType;
  readonly name: string;
  readonly createdAt: number;
  /** Seq of the newest message; 0 when there is none. */
  readonly maxSeq: number;
  /** Newest entry of the change log (recalls, edits); 0 when there is none. */
  readonly maxChangeSeq: number;
  readonly memberCount: number;
  /** When the newest message was stored (creation time before any): the list's order. */
  readonly lastActivityAt: number;
}

export interface MembershipRecord {
  readonly conversationId: string;
  readonly userId: string;
  readonly readSeq: number;
  readonly deliveredSeq: number;
  readonly joinedAt: number;
}

/** The single conversation of two users: the same id whichever of them asks. */
export function singleConversationId(userA: string, userB: string): string {
  if (userA === userB)
    throw invalidArgument('A conversation needs two different users.', 'user_id');
  return userA < userB ? `s_${userA}_${userB}` : `s_${userB}_${userA}`;
}

/** The two members of a single conversation, from its id alone. */
export function singleConversationMembers(id: string): readonly [string, string] | undefined {
  const match = /^s_([A-Za-z0-9-]+)_([A-Za-z0-9-]+)$/.exec(id);
  return match ? [match[1] as string, match[2] as string] : undefined;
}

/** The world conversation every store starts with. */
export const LOBBY_ID = 'w_lobby';

/** The conversation id of a group. */
export const groupConversationId = (groupId: string): string => `g_${groupId}`;
