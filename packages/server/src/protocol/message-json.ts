/** The public Message object's JSON text, written straight from the stored record. */
import type { MessageRecord } from '../domain/message.js';

const str = JSON.stringify;

/**
 * Exactly `JSON.stringify(toPublicMessage(record))`, without parsing the content and encoding
 * it again: the store keeps the content as the JSON text it was sent as, so it is spliced in.
 * Every send needs this text twice (the sender's reply and the fan-out), never the object.
 */
export function publicMessageJson(m: MessageRecord): string {
  return (
    `{"message_id":${str(m.id)},"conversation_id":${str(m.conversationId)},"seq":${m.seq}` +
    `,"sender_id":${str(m.senderId)},"client_msg_id":${str(m.clientMsgId)},"type":${str(m.type)}` +
    `,"content":${m.content},"status":${str(m.status)},"created_at":${m.createdAt}` +
    `,"edited_at":${m.editedAt === null ? 'null' : m.editedAt}}`
  );
}
