import { toPublicMessage, type PublicChange, type PublicMessage } from '../../domain/message.js';
import { countWithinBudget, messageJsonBytes } from '../../domain/reply-budget.js';
import type { HistoryPage } from '../../ports/messaging-store.js';
import type { Store } from '../../ports/store.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { ConversationAccess } from './access.js';

export const HISTORY_LIMIT_MAX = 100;
export const HISTORY_LIMIT_DEFAULT = 50;

export interface HistoryInput {
  readonly conversationId: string;
  readonly beforeSeq?: number | undefined;
  readonly afterSeq?: number | undefined;
  readonly limit?: number | undefined;
}

/** Reading a conversation: message history and the change log, both paged by seq. */
export class HistoryService {
  readonly #store: Store;
  readonly #access: ConversationAccess;

  constructor(deps: { store: Store; access: ConversationAccess }) {
    this.#store = deps.store;
    this.#access = deps.access;
  }

  async history(
    auth: AuthContext,
    input: HistoryInput,
  ): Promise<{ messages: PublicMessage[]; has_more: boolean }> {
    const page = await this.historyRecords(auth, input);
    return { messages: page.messages.map(toPublicMessage), has_more: page.hasMore };
  }

  /**
   * The same page as stored records, for a transport that writes them as JSON itself (the
   * WebSocket gateway splices each stored content in, instead of parsing and re-encoding it).
   */
  async historyRecords(auth: AuthContext, input: HistoryInput): Promise<HistoryPage> {
    await this.#access.requireMember(auth.userId, input.conversationId);
    const page = await this.#store.messages.history({
      conversationId: input.conversationId,
      beforeSeq: input.beforeSeq,
      afterSeq: input.afterSeq,
      limit: input.limit ?? HISTORY_LIMIT_DEFAULT,
    });
    // Past the byte budget, the page keeps the messages nearest where the reader stands:
    // the oldest when reading forward (after_seq), the newest when reading back.
    const forward = input.afterSeq !== undefined;
    const ordered = forward ? page.messages : [...page.messages].reverse();
    const fit = countWithinBudget(ordered, messageJsonBytes);
    if (fit === page.messages.length) return page;
    const kept = ordered.slice(0, fit);
    return { messages: forward ? kept : kept.reverse(), hasMore: true };
  }

  async changes(
    auth: AuthContext,
    input: {
      conversationId: string;
      afterChangeSeq?: number | undefined;
      limit?: number | undefined;
    },
  ): Promise<{ changes: PublicChange[]; has_more: boolean }> {
    await this.#access.requireMember(auth.userId, input.conversationId);
    const page = await this.#store.messages.changes(
      input.conversationId,
      input.afterChangeSeq ?? 0,
      input.limit ?? HISTORY_LIMIT_DEFAULT,
    );
    const fit = countWithinBudget(page.changes, ({ message }) => messageJsonBytes(message));
    return {
      changes: page.changes.slice(0, fit).map(({ change, message }) => ({
        change_seq: change.changeSeq,
        conversation_id: change.conversationId,
        seq: change.seq,
        kind: change.kind,
        message: toPublicMessage(message),
        created_at: change.createdAt,
      })),
      has_more: page.hasMore || fit < page.changes.length,
    };
  }
}
