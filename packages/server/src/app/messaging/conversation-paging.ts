import { invalidArgument } from '../../domain/errors.js';
import type { ConversationPosition } from '../../ports/messaging-store.js';

export const CONVERSATION_LIMIT_DEFAULT = 50;
export const CONVERSATION_LIMIT_MAX = 200;

/** `limit` checked against 1…200 (default 50). */
export function conversationLimit(limit: number | undefined): number {
  if (limit === undefined) return CONVERSATION_LIMIT_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > CONVERSATION_LIMIT_MAX) {
    throw invalidArgument(`limit must be an integer from 1 to ${CONVERSATION_LIMIT_MAX}.`, 'limit');
  }
  return limit;
}

/** A cursor is the place of the last conversation of a page: `<last activity>.<id>`. */
export const encodeConversationCursor = (p: ConversationPosition): string =>
  `${p.lastActivityAt}.${p.id}`;

const CURSOR = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/;

export function decodeConversationCursor(
  cursor: string | undefined,
): ConversationPosition | undefined {
  if (cursor === undefined) return undefined;
  const match = CURSOR.exec(cursor);
  const lastActivityAt = Number(match?.[1]);
  if (match === null || !Number.isSafeInteger(lastActivityAt)) {
    throw invalidArgument('cursor is not one this server handed out.', 'cursor');
  }
  return { lastActivityAt, id: match[2] as string };
}
