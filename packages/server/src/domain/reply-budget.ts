import type { MessageRecord } from './message.js';

/**
 * Replies that carry a list (history, change log, conversations) fill up to a byte budget and
 * say there is more, instead of growing with the list: one reply always fits in a WebSocket
 * frame (1 MiB by default) and in a promptly reading client's send queue.
 */
export const REPLY_BUDGET_BYTES = 256 * 1024;

/**
 * How many of `items`, taken in order, fit in `budget` bytes by `sizeOf`; at least one, so a
 * page always moves forward (a single item is far below the budget: content is at most 64 KiB).
 */
export function countWithinBudget<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  budget: number = REPLY_BUDGET_BYTES,
): number {
  let used = 0;
  for (let i = 0; i < items.length; i++) {
    used += sizeOf(items[i] as T);
    if (used > budget) return Math.max(1, i);
  }
  return items.length;
}

/** UTF-8 bytes of a string's JSON text, escapes included. */
export const jsonBytes = (value: unknown): number =>
  Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/**
 * The fields of a Message other than its content take at most this many bytes of JSON: ids,
 * client_msg_id and type are short and never need escaping.
 */
const MESSAGE_FIELDS_BYTES = 512;

/** An upper bound of a Message's JSON size, without encoding it. */
export const messageJsonBytes = (m: MessageRecord): number =>
  Buffer.byteLength(m.content, 'utf8') + MESSAGE_FIELDS_BYTES;
