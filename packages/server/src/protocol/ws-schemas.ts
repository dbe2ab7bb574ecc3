/** The `data` schema of each WebSocket op (docs/protocol.md, "Ops"). */
import { z } from 'zod';
import { ID_PATTERN } from '../domain/ids.js';

export const id = z.string().regex(ID_PATTERN, 'is not a well-formed id');
export const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const limit = z.number().int().min(1).max(100);

export const SendData = z.object({
  conversation_id: id.optional(),
  to_user_id: id.optional(),
  group_id: id.optional(),
  client_msg_id: z.string().min(1).max(64),
  type: z.string().min(1).max(64),
  content: z.unknown(),
});

export const HistoryData = z.object({
  conversation_id: id,
  before_seq: seq.optional(),
  after_seq: seq.optional(),
  limit: limit.optional(),
});

export const ChangesData = z.object({
  conversation_id: id,
  after_change_seq: seq.optional(),
  limit: limit.optional(),
});

export const ConversationListData = z.object({
  cursor: z.string().min(1).max(128).optional(),
  limit: z.number().int().min(1).max(200).optional(),
});

export const MessageRefData = z.object({ conversation_id: id, seq });
export const EditData = z.object({ conversation_id: id, seq, content: z.unknown() });
export const ConversationData = z.object({ conversation_id: id });
export const CreateConversationData = z.object({ user_id: id });
export const ReadData = z.object({ conversation_id: id, seq });
export const EmptyData = z.object({}).passthrough();
