/** Messages: records, the public view, and the change log. */

export const MESSAGE_STATUSES = ['sent', 'pending', 'failed', 'rejected', 'recalled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface MessageRecord {
  readonly id: string;
  readonly conversationId: string;
  readonly seq: number;
  readonly senderId: string;
  readonly clientMsgId: string;
  readonly type: string;
  /** The content as JSON text, exactly as stored and sent. */
  readonly content: string;
  readonly status: MessageStatus;
  readonly createdAt: number;
  readonly editedAt: number | null;
}

/** The Message object of the protocol. */
export interface PublicMessage {
  readonly message_id: string;
  readonly conversation_id: string;
  readonly seq: number;
  readonly sender_id: string;
  readonly client_msg_id: string;
  readonly type: string;
  readonly content: Record<string, unknown>;
  readonly status: MessageStatus;
  readonly created_at: number;
  readonly edited_at: number | null;
}

/** Stored content as an object; content that does not parse is shown as unreadable. */
function parseContent(content: string): Record<string, unknown> {
  try {
    return JSON.parse(content) as Record<string, unknown>;
  } catch {
    return { unreadable: true };
  }
}

export const toPublicMessage = (m: MessageRecord): PublicMessage => ({
  message_id: m.id,
  conversation_id: m.conversationId,
  seq: m.seq,
  sender_id: m.senderId,
  client_msg_id: m.clientMsgId,
  type: m.type,
  content: parseContent(m.content),
  status: m.status,
  created_at: m.createdAt,
  edited_at: m.editedAt,
});

/** recall and edit by the sender; status when an extension settles a message. */
export type ChangeKind = 'recall' | 'edit' | 'status';

export interface ChangeRecord {
  readonly conversationId: string;
  readonly changeSeq: number;
  readonly seq: number;
  readonly kind: ChangeKind;
  readonly createdAt: number;
}

export interface PublicChange {
  readonly change_seq: number;
  readonly conversation_id: string;
  readonly seq: number;
  readonly kind: ChangeKind;
  readonly message: PublicMessage;
  readonly created_at: number;
}

/** A message the sender asked to store: everything but the seq, which the store allocates. */
export interface NewMessage {
  readonly id: string;
  readonly conversationId: string;
  readonly senderId: string;
  readonly clientMsgId: string;
  readonly type: string;
  readonly content: string;
  readonly status: MessageStatus;
  readonly createdAt: number;
}

/**
 * The sender of system messages (an extension's SCENE_SYSTEM notices): no account has this id
 * (account ids are ULIDs), so nobody can edit, recall or be shown as its author.
 */
export const SYSTEM_SENDER_ID = 'system';

export const CLIENT_MSG_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
export const MESSAGE_TYPE_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;
