/**
 * The messaging repositories of the Store.
 *
 * Guarantees every adapter keeps (test/contract/messaging-store.contract.ts checks them):
 * - `appendBatch` stores its messages in one transaction. Each new message gets the next seq of
 *   its conversation: seqs are 1, 2, 3, … per conversation with no gap and no duplicate, also
 *   under concurrent batches, because the seq is allocated in the transaction that inserts.
 * - (sender, client_msg_id) is unique: a message whose key is already stored is not stored
 *   again; its result is the stored original with `duplicate: true`. Within one batch, the
 *   first of several messages with the same key wins.
 * - `markRead` and `markDelivered` only move forward.
 * - `applyChange` updates the message and appends the change log entry in one transaction,
 *   with change seqs 1, 2, 3, … per conversation; it changes nothing for a recalled message.
 */
import type {
  ConversationRecord,
  ConversationType,
  MembershipRecord,
} from '../domain/conversation.js';
import type { ChangeKind, ChangeRecord, MessageRecord, NewMessage } from '../domain/message.js';

export interface ConversationSummary {
  readonly conversation: ConversationRecord;
  readonly membership: MembershipRecord;
  /** Messages after the member's read_seq that the member did not send. */
  readonly unreadCount: number;
  readonly lastMessage: MessageRecord | null;
}

/** A place in a user's conversation list: the last conversation of the previous page. */
export interface ConversationPosition {
  readonly lastActivityAt: number;
  readonly id: string;
}

export interface ConversationPageQuery {
  readonly after?: ConversationPosition | undefined;
  readonly limit: number;
}

export interface ConversationPage {
  /** Each with its place in the list when the page was read: the cursor to go on from. */
  readonly entries: { position: ConversationPosition; summary: ConversationSummary }[];
  readonly hasMore: boolean;
}

export interface NewConversation {
  readonly id: string;
  readonly type: ConversationType;
  readonly name: string;
  readonly createdAt: number;
}

export interface ConversationRepository {
  find(id: string): Promise<ConversationRecord | undefined>;
  /** Creates the conversation unless it exists, and adds the members; true when it was created. */
  ensure(conversation: NewConversation, memberIds: readonly string[]): Promise<boolean>;
  /** Adds a member; true when the user was not a member before. */
  addMember(conversationId: string, userId: string, at: number): Promise<boolean>;
  membership(conversationId: string, userId: string): Promise<MembershipRecord | undefined>;
  /**
   * A page of the user's conversations, most recent activity first (ties by id), starting
   * after `page.after`: a keyset, so a walk sees every conversation exactly once while none
   * gets new activity. One that does moves to the front, ahead of the walk.
   */
  listForUser(userId: string, page: ConversationPageQuery): Promise<ConversationPage>;
  summary(conversationId: string, userId: string): Promise<ConversationSummary | undefined>;
  /** Moves read_seq up to `seq` (capped at max_seq); returns the new value, or undefined if unchanged. */
  markRead(conversationId: string, userId: string, seq: number): Promise<number | undefined>;
  markDelivered(conversationId: string, userId: string, seq: number): Promise<number | undefined>;
  /** Ids of the conversations of these types the user is a member of. */
  idsForUser(userId: string, types: readonly ConversationType[]): Promise<string[]>;
  /** The other users of the user's single conversations. */
  contactsOf(userId: string): Promise<string[]>;
  /** World conversations, most members first. */
  worlds(limit: number): Promise<ConversationRecord[]>;
}

export interface AppendResult {
  readonly message: MessageRecord;
  /** True when the message was already stored (a retry): nothing new was written. */
  readonly duplicate: boolean;
}

export interface HistoryQuery {
  readonly conversationId: string;
  readonly beforeSeq?: number | undefined;
  readonly afterSeq?: number | undefined;
  readonly limit: number;
}

export interface HistoryPage {
  /** Ascending by seq. */
  readonly messages: MessageRecord[];
  readonly hasMore: boolean;
}

export interface MessageChange {
  readonly kind: ChangeKind;
  readonly content?: string;
  readonly status?: MessageRecord['status'];
  readonly editedAt?: number;
}

export interface ChangePage {
  readonly changes: { change: ChangeRecord; message: MessageRecord }[];
  readonly hasMore: boolean;
}

export interface MessageRepository {
  /** One transaction for the whole batch; results in input order. */
  appendBatch(messages: readonly NewMessage[]): Promise<AppendResult[]>;
  find(conversationId: string, seq: number): Promise<MessageRecord | undefined>;
  findById(messageId: string): Promise<MessageRecord | undefined>;
  /**
   * Replaces the content of a message that is still pending, without a change-log entry:
   * the partial results an extension streams. Undefined when it is not pending.
   */
  updatePendingContent(messageId: string, content: string): Promise<MessageRecord | undefined>;
  findByClientMsgId(senderId: string, clientMsgId: string): Promise<MessageRecord | undefined>;
  history(query: HistoryQuery): Promise<HistoryPage>;
  /** Applies a change to a message that is not recalled; undefined when there was none to change. */
  applyChange(
    conversationId: string,
    seq: number,
    change: MessageChange,
    at: number,
  ): Promise<{ message: MessageRecord; change: ChangeRecord } | undefined>;
  changes(conversationId: string, afterChangeSeq: number, limit: number): Promise<ChangePage>;
}

export interface ExtJob {
  readonly messageId: string;
  readonly msgType: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
}

/** Extension messages waiting for their service to come back (passthrough). */
export interface ExtJobRepository {
  /** Adds the job unless the message already has one. */
  add(messageId: string, msgType: string, at: number): Promise<void>;
  /** Jobs due at `now`, oldest first. */
  due(now: number, limit: number): Promise<ExtJob[]>;
  reschedule(messageId: string, attempts: number, nextAttemptAt: number): Promise<void>;
  /**
   * Takes a due job for one worker: moves its next attempt to `leaseUntil` only if nobody moved
   * it since `job` was read. True for exactly one of any number of concurrent claims.
   */
  claim(job: ExtJob, leaseUntil: number): Promise<boolean>;
  remove(messageId: string): Promise<void>;
}
