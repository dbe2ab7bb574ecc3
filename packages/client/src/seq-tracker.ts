import type { Conversation } from './types.js';

/** What a catch-up pass must page for one conversation. */
export interface CatchUpStep {
  conversation_id: string;
  /** Page `message.history` with this `after_seq`; absent when no message is missing. */
  afterSeq?: number;
  /** Page `message.changes` with this `after_change_seq`; absent when no change is missing. */
  afterChangeSeq?: number;
}

/** Seen numbers of one sequence: everything up to `upTo`, plus the ones above it. */
interface Progress {
  upTo: number;
  /** Seen out of order, above a gap; they fold into `upTo` once the gap fills. */
  above: Set<number>;
}

interface ConversationProgress {
  /** Undefined until a message of the conversation is seen. */
  messages: Progress | undefined;
  changes: Progress;
}

/**
 * Remembers, per conversation, which message seqs and change_seqs the client has seen, so that
 * events are never delivered twice and a reconnect knows exactly what to fetch.
 *
 * A conversation is tracked from the first message or change seen in it: what came before
 * that point was never promised to the app, so it is not fetched. The change log is the
 * exception for a conversation first seen through a message: an edit or recall made before
 * the first change event can still concern a message the app holds, so its changes count
 * from 0 and the first catch-up reads the whole log once.
 */
export class SeqTracker {
  readonly #conversations = new Map<string, ConversationProgress>();

  /** The highest seq up to which every message of the conversation has been seen. */
  lastSeq(conversationId: string): number | undefined {
    return this.#conversations.get(conversationId)?.messages?.upTo;
  }

  /** The highest change_seq up to which every change of the conversation has been seen. */
  lastChangeSeq(conversationId: string): number | undefined {
    return this.#conversations.get(conversationId)?.changes.upTo;
  }

  isTracked(conversationId: string): boolean {
    return this.#conversations.has(conversationId);
  }

  /**
   * Records one message and says whether it is new. The first message of a conversation
   * whose messages were not tracked yet starts tracking at its seq.
   */
  observeMessage(conversationId: string, seq: number): boolean {
    const state = this.#state(conversationId, { messages: undefined, changes: progress(0) });
    if (state.messages === undefined) {
      state.messages = progress(seq);
      return true;
    }
    return mark(state.messages, seq);
  }

  /**
   * Records a page of `message.history`. With `afterSeq` the caller holds everything up to
   * it, so tracking of an untracked conversation starts there rather than at the page.
   */
  observeHistory(conversationId: string, seqs: readonly number[], afterSeq?: number): void {
    if (seqs.length === 0) return;
    const state = this.#state(conversationId, { messages: undefined, changes: progress(0) });
    if (state.messages === undefined && afterSeq !== undefined) {
      state.messages = progress(afterSeq);
    }
    for (const seq of [...seqs].sort((a, b) => a - b)) this.observeMessage(conversationId, seq);
  }

  /**
   * Records one change and says whether it is new. A conversation seen for the first time
   * through a change starts tracking its change log at that change.
   */
  observeChange(conversationId: string, changeSeq: number): boolean {
    const known = this.#conversations.get(conversationId);
    if (known === undefined) {
      this.#conversations.set(conversationId, {
        messages: undefined,
        changes: progress(changeSeq),
      });
      return true;
    }
    return mark(known.changes, changeSeq);
  }

  /** What to page after a reconnect, given the server's `conversation.list`. */
  plan(
    conversations: readonly Pick<Conversation, 'conversation_id' | 'max_seq' | 'max_change_seq'>[],
  ): CatchUpStep[] {
    const steps: CatchUpStep[] = [];
    for (const conversation of conversations) {
      const state = this.#conversations.get(conversation.conversation_id);
      if (state === undefined) continue;
      const step: CatchUpStep = { conversation_id: conversation.conversation_id };
      if (state.messages !== undefined && conversation.max_seq > state.messages.upTo) {
        step.afterSeq = state.messages.upTo;
      }
      if (conversation.max_change_seq > state.changes.upTo) {
        step.afterChangeSeq = state.changes.upTo;
      }
      if (step.afterSeq !== undefined || step.afterChangeSeq !== undefined) steps.push(step);
    }
    return steps;
  }

  #state(conversationId: string, initial: ConversationProgress): ConversationProgress {
    const known = this.#conversations.get(conversationId);
    if (known !== undefined) return known;
    this.#conversations.set(conversationId, initial);
    return initial;
  }
}

function progress(upTo: number): Progress {
  return { upTo, above: new Set() };
}

/** Marks `value` seen; false when it already was. */
function mark(state: Progress, value: number): boolean {
  if (value <= state.upTo || state.above.has(value)) return false;
  state.above.add(value);
  while (state.above.delete(state.upTo + 1)) state.upTo += 1;
  return true;
}
