/** Row ↔ record mapping shared by the messaging repositories. */
import type { Kysely, Selectable } from 'kysely';
import type {
  ConversationRecord,
  ConversationType,
  MembershipRecord,
} from '../../domain/conversation.js';
import type {
  ChangeKind,
  ChangeRecord,
  MessageRecord,
  MessageStatus,
} from '../../domain/message.js';
import type {
  ConversationMembersTable,
  ConversationsTable,
  MessageChangesTable,
  MessagesTable,
} from './schema.js';
import { MAX_CONTENT_DEPTH, nestsDeeperThan } from '../../protocol/json-depth.js';

export const toConversation = (row: Selectable<ConversationsTable>): ConversationRecord => ({
  id: row.id,
  type: row.type as ConversationType,
  name: row.name,
  createdAt: Number(row.created_at),
  maxSeq: Number(row.max_seq),
  maxChangeSeq: Number(row.max_change_seq),
  memberCount: Number(row.member_count),
  lastActivityAt: Number(row.last_activity_at),
});

export const toMembership = (row: Selectable<ConversationMembersTable>): MembershipRecord => ({
  conversationId: row.conversation_id,
  userId: row.user_id,
  readSeq: Number(row.read_seq),
  deliveredSeq: Number(row.delivered_seq),
  joinedAt: Number(row.joined_at),
});

/**
 * Served in place of stored content that cannot be served as it is: nested deeper than the
 * content bound (written before the bound existed) or not a JSON object (edited by hand).
 * One bad row must never fail a whole read — a conversation list, a history page — for every
 * member.
 */
export const UNREADABLE_CONTENT = '{"unreadable":true}';

function servableContent(content: string): string {
  const trimmed = content.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return UNREADABLE_CONTENT;
  return nestsDeeperThan(content, MAX_CONTENT_DEPTH) ? UNREADABLE_CONTENT : content;
}

export const toMessage = (row: Selectable<MessagesTable>): MessageRecord => ({
  id: row.id,
  conversationId: row.conversation_id,
  seq: Number(row.seq),
  senderId: row.sender_id,
  clientMsgId: row.client_msg_id,
  type: row.type,
  content: servableContent(row.content),
  status: row.status as MessageStatus,
  createdAt: Number(row.created_at),
  editedAt: row.edited_at === null ? null : Number(row.edited_at),
});

export const toChange = (row: Selectable<MessageChangesTable>): ChangeRecord => ({
  conversationId: row.conversation_id,
  changeSeq: Number(row.change_seq),
  seq: Number(row.seq),
  kind: row.kind as ChangeKind,
  createdAt: Number(row.created_at),
});

/** Runs `fn` in a transaction, or directly when `db` already is one. */
export function inTransaction<DB, T>(
  db: Kysely<DB>,
  fn: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
