import type { SeqTracker } from './seq-tracker.js';
import type {
  Conversation,
  Message,
  MessageUpdatedData,
  OpData,
  OpName,
  OpReply,
} from './types.js';

/** Page size of catch-up reads: the protocol's largest. */
const PAGE = 100;

export interface CatchUpDeps {
  request<K extends OpName>(op: K, data: OpData<K>): Promise<OpReply<K>>;
  tracker: SeqTracker;
  /** Hands on one fetched message; the receiver drops the ones already seen. */
  deliverMessage(message: Message): void;
  /** Hands on one fetched change; the receiver drops the ones already seen. */
  deliverChange(data: MessageUpdatedData): void;
}

/**
 * One catch-up pass as docs/protocol.md describes it: list the conversations, then, for each
 * one the tracker knows that is behind, read the missed messages and changes in order.
 * Resolves with the conversation list, which the app usually wants to refresh anyway.
 */
export async function catchUp(deps: CatchUpDeps): Promise<Conversation[]> {
  const { conversations } = await deps.request('conversation.list', {});
  for (const step of deps.tracker.plan(conversations)) {
    const conversationId = step.conversation_id;
    if (step.afterSeq !== undefined) {
      let after = step.afterSeq;
      for (;;) {
        const page = await deps.request('message.history', {
          conversation_id: conversationId,
          after_seq: after,
          limit: PAGE,
        });
        for (const message of page.messages) deps.deliverMessage(message);
        const last = page.messages.at(-1)?.seq;
        // `last <= after` would be a server bug; stopping beats asking for the same page forever.
        if (!page.has_more || last === undefined || last <= after) break;
        after = last;
      }
    }
    if (step.afterChangeSeq !== undefined) {
      let after = step.afterChangeSeq;
      for (;;) {
        const page = await deps.request('message.changes', {
          conversation_id: conversationId,
          after_change_seq: after,
          limit: PAGE,
        });
        for (const change of page.changes) {
          deps.deliverChange({ message: change.message, change_seq: change.change_seq });
        }
        const last = page.changes.at(-1)?.change_seq;
        if (!page.has_more || last === undefined || last <= after) break;
        after = last;
      }
    }
  }
  return conversations;
}
