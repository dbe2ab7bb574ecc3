import { singleConversationId } from '../../domain/conversation.js';
import { appError } from '../../domain/errors.js';
import { countWithinBudget, jsonBytes } from '../../domain/reply-budget.js';
import { userTopic, type Bus } from '../../ports/bus.js';
import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { ConversationAccess } from './access.js';
import {
  conversationLimit,
  decodeConversationCursor,
  encodeConversationCursor,
} from './conversation-paging.js';
import type { SendPolicy } from './send-policy.js';
import { toPublicConversations, type PublicConversation } from './views.js';

/** Listing, reading, creating single conversations and joining world ones. */
export class ConversationService {
  readonly #store: Store;
  readonly #access: ConversationAccess;
  readonly #bus: Bus;
  readonly #clock: Clock;
  readonly #policy: SendPolicy;
  /** Single conversations being looked up or created now, so that each is done once. */
  readonly #ensuring = new Map<string, Promise<{ id: string; created: boolean }>>();

  constructor(deps: {
    store: Store;
    access: ConversationAccess;
    bus: Bus;
    clock: Clock;
    policy: SendPolicy;
  }) {
    this.#store = deps.store;
    this.#access = deps.access;
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#policy = deps.policy;
  }

  /**
   * A page of the caller's conversations, most recent activity first, cut at `limit` or at
   * the reply byte budget, whichever comes first. `next_cursor` is null on the last page.
   */
  async list(
    auth: AuthContext,
    query: { cursor?: string | undefined; limit?: number | undefined } = {},
  ): Promise<{ conversations: PublicConversation[]; next_cursor: string | null }> {
    const page = await this.#store.conversations.listForUser(auth.userId, {
      after: decodeConversationCursor(query.cursor),
      limit: conversationLimit(query.limit),
    });
    const views = await toPublicConversations(
      this.#store,
      auth.userId,
      page.entries.map((e) => e.summary),
    );
    const fit = countWithinBudget(views, jsonBytes);
    const last = page.entries[fit - 1];
    const more = page.hasMore || fit < views.length;
    return {
      conversations: views.slice(0, fit),
      next_cursor: more && last !== undefined ? encodeConversationCursor(last.position) : null,
    };
  }

  async get(auth: AuthContext, conversationId: string): Promise<PublicConversation> {
    await this.#access.requireMember(auth.userId, conversationId);
    return this.#view(auth.userId, conversationId);
  }

  /** The single conversation with another user, created on first use (seed 003 CreatePrivateConversation). */
  async openSingle(
    auth: AuthContext,
    peerId: string,
  ): Promise<{ conversation: PublicConversation; created: boolean }> {
    await this.#policy.assertCanMessage(auth, peerId);
    const created = await this.ensureSingle(auth.userId, peerId);
    return { conversation: await this.#view(auth.userId, created.id), created: created.created };
  }

  /**
   * Makes sure the single conversation of two users exists; used by sends to `to_user_id`.
   * Calls for a conversation already being looked up or created wait for that one: a client
   * that sends several first messages at once (or many new pairs at once) would otherwise
   * start a creating transaction per message, each holding a database connection while it
   * waits for the first to commit, and starve every other query of the pool.
   */
  ensureSingle(userId: string, peerId: string): Promise<{ id: string; created: boolean }> {
    const id = singleConversationId(userId, peerId);
    if (this.#access.knows(id)) return Promise.resolve({ id, created: false });
    const pending = this.#ensuring.get(id);
    if (pending !== undefined) return pending.then(() => ({ id, created: false }));
    const ensuring = this.#ensure(id, userId, peerId).finally(() => this.#ensuring.delete(id));
    this.#ensuring.set(id, ensuring);
    return ensuring;
  }

  async #ensure(
    id: string,
    userId: string,
    peerId: string,
  ): Promise<{ id: string; created: boolean }> {
    if ((await this.#store.conversations.find(id)) !== undefined) {
      this.#access.remember({ id, type: 'single' });
      return { id, created: false };
    }
    if ((await this.#store.users.findById(peerId)) === undefined) {
      throw appError('USER_NOT_FOUND', 'No user with that id.');
    }
    const created = await this.#store.conversations.ensure(
      { id, type: 'single', name: '', createdAt: this.#clock.now() },
      [userId, peerId],
    );
    this.#access.remember({ id, type: 'single' });
    return { id, created };
  }

  /** Joins a world conversation: anyone may. */
  async join(auth: AuthContext, conversationId: string): Promise<PublicConversation> {
    const ref = await this.#access.find(conversationId);
    if (ref.type !== 'world') {
      throw appError('PERMISSION_DENIED', 'Only world conversations can be joined freely.');
    }
    const added = await this.#store.conversations.addMember(ref.id, auth.userId, this.#clock.now());
    if (added) {
      // The user's live connections start receiving the conversation's events.
      this.#bus.publish(userTopic(auth.userId), {
        control: { kind: 'subscribe', conversationId: ref.id },
      });
    }
    return this.#view(auth.userId, ref.id);
  }

  async #view(userId: string, conversationId: string): Promise<PublicConversation> {
    const summary = await this.#store.conversations.summary(conversationId, userId);
    if (summary === undefined) {
      throw appError('NOT_A_MEMBER', 'You are not a member of this conversation.');
    }
    const [view] = await toPublicConversations(this.#store, userId, [summary]);
    return view as PublicConversation;
  }
}
