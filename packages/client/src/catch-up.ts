import type { CatchUpStep, SeqTracker } from './seq-tracker.js';
import { CONVERSATION_PAGE as LIST_PAGE } from './ws-ops.js';
import type {
  Conversation,
  ConversationPage,
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

/** Re-reads of the front of the list after the walk, for conversations that moved ahead of it. */
const FRONT_PASSES = 5;

/**
 * One catch-up pass as docs/protocol.md describes it: walk the conversation list a page at a
 * time and, for each conversation the tracker knows that is behind, read the missed messages
 * and changes in order.
 *
 * A conversation that gets a new message during the walk moves to the front of the list,
 * ahead of the walk's cursor, so the walk may not see it. Afterwards the front of the list is
 * read again until it starts with a conversation already seen at the same max_seq: everything
 * behind that one had no new message since it was read.
 *
 * Resolves with every conversation as last read, most recent activity first.
 */
export async function catchUp(deps: CatchUpDeps): Promise<Conversation[]> {
  const latest = new Map<string, Conversation>();
  const walked = await walk(deps, latest, false);
  const moved: Conversation[][] = [];
  for (let pass = 0; pass < FRONT_PASSES; pass++) {
    const front = await walk(deps, latest, true);
    if (front.length === 0) break;
    moved.unshift(front);
  }
  const result = new Map<string, Conversation>();
  for (const c of [...moved.flat(), ...walked]) {
    if (!result.has(c.conversation_id))
      result.set(c.conversation_id, latest.get(c.conversation_id) ?? c);
  }
  return [...result.values()];
}

/**
 * Reads the list from its start and catches up each conversation read. With `untilSeen`, stops
 * at the first conversation already in `latest` with the same max_seq. Returns the
 * conversations read that were new or had moved.
 */
async function walk(
  deps: CatchUpDeps,
  latest: Map<string, Conversation>,
  untilSeen: boolean,
): Promise<Conversation[]> {
  const read: Conversation[] = [];
  let cursor: string | null = null;
  do {
    const page: ConversationPage = await deps.request(
      'conversation.list',
      cursor === null ? { limit: LIST_PAGE } : { cursor, limit: LIST_PAGE },
    );
    for (const conversation of page.conversations) {
      const known = latest.get(conversation.conversation_id);
      if (untilSeen && known !== undefined && known.max_seq === conversation.max_seq) return read;
      latest.set(conversation.conversation_id, conversation);
      read.push(conversation);
      for (const step of deps.tracker.plan([conversation])) await fetchMissed(deps, step);
    }
    cursor = page.next_cursor ?? null; // a server without paging sends none
  } while (cursor !== null);
  return read;
}

async function fetchMissed(deps: CatchUpDeps, step: CatchUpStep): Promise<void> {
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
