/** Wire schemas of the conversation and message endpoints. */
import { z } from 'zod';
import { CONVERSATION_TYPES } from '../domain/conversation.js';
import { MESSAGE_STATUSES } from '../domain/message.js';
import { named, User } from './rest-schemas.js';
import { id, seq } from './ws-schemas.js';

export const Message = named(
  z.object({
    message_id: z.string(),
    conversation_id: z.string(),
    seq: z.number().int(),
    sender_id: z.string(),
    client_msg_id: z.string(),
    type: z.string(),
    content: z.record(z.string(), z.unknown()),
    status: z.enum(MESSAGE_STATUSES),
    created_at: z.number().int(),
    edited_at: z.number().int().nullable(),
  }),
  'Message',
);

export const Conversation = named(
  z.object({
    conversation_id: z.string(),
    type: z.enum(CONVERSATION_TYPES),
    name: z.string(),
    created_at: z.number().int(),
    max_seq: z.number().int(),
    max_change_seq: z.number().int(),
    read_seq: z.number().int(),
    unread_count: z.number().int(),
    last_message: Message.nullable(),
    member_count: z.number().int(),
    peer: User.nullable(),
  }),
  'Conversation',
);

export const Change = named(
  z.object({
    change_seq: z.number().int(),
    conversation_id: z.string(),
    seq: z.number().int(),
    kind: z.enum(['recall', 'edit', 'status']),
    message: Message,
    created_at: z.number().int(),
  }),
  'Change',
);

const querySeq = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const queryLimit = z.coerce.number().int().min(1).max(100);

export const ConversationParams = z.object({ id });
export const MessageParams = z.object({ id, seq: querySeq });
export const HistoryQuery = z.object({
  before_seq: querySeq.optional(),
  after_seq: querySeq.optional(),
  limit: queryLimit.optional(),
});
export const ConversationListQuery = z.object({
  cursor: z.string().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export const ChangesQuery = z.object({
  after_change_seq: querySeq.optional(),
  limit: queryLimit.optional(),
});
export const CreateConversationBody = z.object({ user_id: id });
export const SendBody = z.object({
  client_msg_id: z.string().min(1).max(64),
  type: z.string().min(1).max(64),
  content: z.unknown(),
});
export const EditBody = z.object({ content: z.unknown() });
export const ReadBody = z.object({ seq });
