import { appError } from '../../domain/errors.js';
import { toPublicMessage, type PublicMessage } from '../../domain/message.js';
import type { MessageChange } from '../../ports/messaging-store.js';
import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';
import { encodeContent } from '../../protocol/message-content.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { ConversationAccess } from './access.js';
import type { Fanout } from './fanout.js';
import type { Origin } from './messaging-service.js';
import type { PostingRules } from './posting-rules.js';

export interface EditDeps {
  readonly store: Store;
  readonly access: ConversationAccess;
  /** The send path's rules: an edit is refused wherever a new message would be. */
  readonly posting: PostingRules;
  readonly fanout: Fanout;
  readonly clock: Clock;
}

/**
 * Recall and edit: the sender changes a message; the change log records it; members are told.
 *
 * An edit puts new words in front of the other members, so it passes the same checks as a
 * send (mutes, mute-all, blocks, the DM policy). A recall only takes words away, so the sender
 * may recall while muted or blocked: it needs membership and the recall window only.
 */
export class EditService {
  readonly #deps: EditDeps;
  readonly #options: { recallWindowMs: number; maxContentBytes: number };

  constructor(deps: EditDeps, options: { recallWindowMs: number; maxContentBytes: number }) {
    this.#deps = deps;
    this.#options = options;
  }

  async recall(auth: AuthContext, conversationId: string, seq: number, origin: Origin = {}) {
    const { message, now } = await this.#own(auth, conversationId, seq, 'member');
    if (now - message.createdAt > this.#options.recallWindowMs) {
      throw appError(
        'RECALL_WINDOW_PASSED',
        `Messages can be recalled only within ${Math.round(this.#options.recallWindowMs / 1000)} seconds of sending.`,
      );
    }
    return this.#apply(
      conversationId,
      seq,
      { kind: 'recall', content: '{}', status: 'recalled' },
      now,
      origin,
    );
  }

  async edit(
    auth: AuthContext,
    conversationId: string,
    seq: number,
    content: unknown,
    origin: Origin = {},
  ) {
    const { message, now } = await this.#own(auth, conversationId, seq, 'post');
    const encoded = encodeContent(message.type, content, this.#options.maxContentBytes);
    return this.#apply(
      conversationId,
      seq,
      { kind: 'edit', content: encoded, editedAt: now },
      now,
      origin,
    );
  }

  async #own(auth: AuthContext, conversationId: string, seq: number, as: 'post' | 'member') {
    if (as === 'post') await this.#deps.posting.requirePoster(auth, conversationId);
    else await this.#deps.access.requireMember(auth.userId, conversationId);
    const message = await this.#deps.store.messages.find(conversationId, seq);
    if (message === undefined) throw appError('MESSAGE_NOT_FOUND', 'No message with that seq.');
    if (message.senderId !== auth.userId) {
      throw appError('NOT_THE_SENDER', 'Only the sender may change a message.');
    }
    if (message.status === 'recalled') throw recalled();
    return { message, now: this.#deps.clock.now() };
  }

  async #apply(
    conversationId: string,
    seq: number,
    change: MessageChange,
    now: number,
    origin: Origin,
  ): Promise<{ message: PublicMessage; change_seq: number }> {
    const applied = await this.#deps.store.messages.applyChange(conversationId, seq, change, now);
    if (applied === undefined) throw recalled();
    const message = toPublicMessage(applied.message);
    const data = { message, change_seq: applied.change.changeSeq };
    const ref = await this.#deps.access.find(conversationId);
    this.#deps.fanout.toConversation(ref, 'message.updated', data, origin);
    return data;
  }
}

const recalled = () => appError('MESSAGE_RECALLED', 'The message was recalled.');
