import { singleConversationId } from '../../domain/conversation.js';
import { AppError } from '../../domain/errors.js';
import { userTopic, type Bus } from '../../ports/bus.js';
import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { ConversationAccess } from './access.js';
import type { SendPolicy } from './send-policy.js';
import { toPublicConversations, type PublicConversation } from './views.js';

/** Listing, reading, creating single conversations and joining world ones. */
export class ConversationService {
  readonly #store: Store;
  readonly #access: ConversationAccess;
  readonly #bus: Bus;
  readonly #clock: Clock;
  readonly #policy: SendPolicy;

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

  async list(auth: AuthContext): Promise<PublicConversation[]> {
    const summaries = await this.#store.conversations.listForUser(auth.userId);
    return toPublicConversations(this.#store, auth.userId, summaries);
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

  /** Makes sure the single conversation of two users exists; used by sends to `to_user_id`. */
  async ensureSingle(userId: string, peerId: string): Promise<{ id: string; created: boolean }> {
    const id = singleConversationId(userId, peerId);
    if (this.#access.knows(id)) return { id, created: false };
    if ((await this.#store.conversations.find(id)) !== undefined) {
      this.#access.remember({ id, type: 'single' });
      return { id, created: false };
    }
    if ((await this.#store.users.findById(peerId)) === undefined) {
      throw new AppError('NOT_FOUND', 'No user with that id.');
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
      throw new AppError('PERMISSION_DENIED', 'Only world conversations can be joined freely.');
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
      throw new AppError('PERMISSION_DENIED', 'You are not a member of this conversation.');
    }
    const [view] = await toPublicConversations(this.#store, userId, [summary]);
    return view as PublicConversation;
  }
}
