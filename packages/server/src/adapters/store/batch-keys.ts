import type { NewMessage } from '../../domain/message.js';
import type { AppendResult } from '../../ports/messaging-store.js';

/** A message's idempotency key, (sender, client_msg_id), as one string. */
export const keyOf = (senderId: string, clientMsgId: string) => `${senderId}\u0000${clientMsgId}`;

/**
 * A batch's results in the order of its messages, from the result of each key: later copies
 * of a key within the batch are duplicates of the first.
 */
export function inBatchOrder(
  messages: readonly NewMessage[],
  results: ReadonlyMap<string, AppendResult>,
): AppendResult[] {
  const seen = new Set<string>();
  return messages.map((m) => {
    const key = keyOf(m.senderId, m.clientMsgId);
    const result = results.get(key) as AppendResult;
    if (seen.has(key)) return { message: result.message, duplicate: true };
    seen.add(key);
    return result;
  });
}
