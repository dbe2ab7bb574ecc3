/** Objects of the Parley protocol v1 (docs/protocol.md). */

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export interface User {
  user_id: string;
  username: string;
  nickname: string;
  avatar_url: string;
  bio: string;
  is_guest: boolean;
  created_at: number;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  /** Seconds until the access token expires. */
  expires_in: number;
  session_id: string;
  device_id: string;
}

export interface AuthResult extends Tokens {
  user: User;
}

export interface Session {
  session_id: string;
  device_id: string;
  user_agent: string;
  ip: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  current: boolean;
}

export interface TokenInfo {
  valid: true;
  user_id: string;
  session_id: string;
  is_guest: boolean;
  expires_at: number;
}

export interface UserPage {
  users: User[];
  next_cursor: string | null;
}

// ---- Messaging objects ----

export type MessageStatus = 'sent' | 'pending' | 'failed' | 'rejected' | 'recalled';

export interface Message {
  message_id: string;
  conversation_id: string;
  /** 1, 2, 3, … per conversation, with no gap and no duplicate. */
  seq: number;
  sender_id: string;
  /** The sender's idempotency key for this message. */
  client_msg_id: string;
  /** `text` (content `{text}`), another built-in type, or an extension's type. */
  type: string;
  /** The type's content; `{}` once recalled. */
  content: Record<string, unknown>;
  status: MessageStatus;
  created_at: number;
  /** Null until the sender edits the message. */
  edited_at: number | null;
}

export type ConversationType = 'single' | 'group' | 'world';

export interface Conversation {
  conversation_id: string;
  type: ConversationType;
  name: string;
  created_at: number;
  /** Seq of the newest message. */
  max_seq: number;
  /** change_seq of the newest entry of the change log. */
  max_change_seq: number;
  /** The caller's read position. */
  read_seq: number;
  /** Messages after `read_seq` not sent by the caller. */
  unread_count: number;
  last_message: Message | null;
  member_count: number;
  /** The other user of a `single` conversation; null otherwise. */
  peer: User | null;
}

/** One entry of a conversation's change log. */
export interface Change {
  /** 1, 2, 3, … per conversation, separate from message seq. */
  change_seq: number;
  conversation_id: string;
  /** Seq of the changed message. */
  seq: number;
  kind: 'recall' | 'edit';
  /** The message after the change. */
  message: Message;
  created_at: number;
}

// ---- WebSocket events (server → client) ----

export interface WsLimits {
  max_frame_bytes: number;
  max_content_bytes: number;
  requests_per_second: number;
}

export interface ReadyData {
  user: User;
  session_id: string;
  connection_id: string;
  server_time: number;
  limits: WsLimits;
}

export interface MessageNewData {
  message: Message;
}

export interface MessageUpdatedData {
  message: Message;
  change_seq: number;
  /** Why an extension refused or failed the message, when it did. */
  reason?: string;
}

export interface ConversationReadData {
  conversation_id: string;
  user_id: string;
  seq: number;
}

export interface ConversationDeliveredData {
  conversation_id: string;
  user_id: string;
  seq: number;
}

export interface TypingData {
  conversation_id: string;
  user_id: string;
}

export interface PresenceData {
  user_id: string;
  online: boolean;
  last_seen?: number;
}

/** Every event the server pushes, by name. */
export interface ServerEvents {
  ready: ReadyData;
  'message.new': MessageNewData;
  'message.updated': MessageUpdatedData;
  'conversation.read': ConversationReadData;
  'conversation.delivered': ConversationDeliveredData;
  typing: TypingData;
  presence: PresenceData;
}

export type ServerEventName = keyof ServerEvents;

// ---- WebSocket ops (client → server) ----

/** Where a message goes: exactly one of the three. */
export type SendTarget =
  | { conversation_id: string; to_user_id?: never; group_id?: never }
  | { to_user_id: string; conversation_id?: never; group_id?: never }
  | { group_id: string; conversation_id?: never; to_user_id?: never };

export type MessageSendData = SendTarget & {
  client_msg_id: string;
  type: string;
  content: Record<string, unknown>;
};

export interface MessageSendReply {
  message: Message;
  /** True when `client_msg_id` was already stored: `message` is the original. */
  duplicate: boolean;
}

export interface HistoryQuery {
  conversation_id: string;
  before_seq?: number;
  after_seq?: number;
  /** 1–100, default 50. */
  limit?: number;
}

export interface HistoryPage {
  /** Ascending by seq. */
  messages: Message[];
  has_more: boolean;
}

export interface ConversationListQuery {
  /** The `next_cursor` of the previous page; absent for the first page. */
  cursor?: string;
  /** 1–200, default 50. A page may hold fewer: it also stops at a byte budget. */
  limit?: number;
}

export interface ConversationPage {
  /** Most recent activity first. */
  conversations: Conversation[];
  /** Where the next page starts; null on the last page. */
  next_cursor: string | null;
}

export interface ChangesQuery {
  conversation_id: string;
  after_change_seq?: number;
  limit?: number;
}

export interface ChangesPage {
  /** Ascending by change_seq. */
  changes: Change[];
  has_more: boolean;
}

/** A message named by its conversation and seq. */
export interface MessageRef {
  conversation_id: string;
  seq: number;
}

export interface ConversationRef {
  conversation_id: string;
}

/** The empty object that ops take or answer when there is nothing to say. */
export type Empty = Record<string, never>;

/** Every op of the protocol: the request's `data` and the reply's `data`. */
export interface Ops {
  ping: { data: Empty; reply: Empty };
  'message.send': { data: MessageSendData; reply: MessageSendReply };
  'message.history': { data: HistoryQuery; reply: HistoryPage };
  'message.changes': { data: ChangesQuery; reply: ChangesPage };
  'message.recall': { data: MessageRef; reply: { message: Message } };
  'message.edit': {
    data: MessageRef & { content: Record<string, unknown> };
    reply: { message: Message };
  };
  /** The caller has received everything up to `seq`. */
  'message.delivered': { data: MessageRef; reply: Empty };
  'conversation.list': { data: ConversationListQuery; reply: ConversationPage };
  'conversation.get': { data: ConversationRef; reply: { conversation: Conversation } };
  'conversation.create': {
    data: { user_id: string };
    reply: { conversation: Conversation; created: boolean };
  };
  /** Joins a `world` conversation. */
  'conversation.join': { data: ConversationRef; reply: { conversation: Conversation } };
  /** read_seq only moves forward; a seq past `max_seq` counts as `max_seq`. */
  'conversation.read': { data: MessageRef; reply: Empty };
  typing: { data: ConversationRef; reply: Empty };
}

export type OpName = keyof Ops;
export type OpData<K extends OpName> = Ops[K]['data'];
export type OpReply<K extends OpName> = Ops[K]['reply'];
