import { singleConversationMembers } from '../../domain/conversation.js';
import type { Store } from '../../ports/store.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { ConversationAccess } from './access.js';
import type { Fanout } from './fanout.js';
import type { Origin } from './messaging-service.js';
import type { PostingRules } from './posting-rules.js';

/** Read receipts, delivery acks and typing: small signals between members. */
export class ReceiptService {
  readonly #store: Store;
  readonly #access: ConversationAccess;
  readonly #fanout: Fanout;
  readonly #posting: PostingRules;

  constructor(deps: {
    store: Store;
    access: ConversationAccess;
    fanout: Fanout;
    posting: PostingRules;
  }) {
    this.#store = deps.store;
    this.#access = deps.access;
    this.#fanout = deps.fanout;
    this.#posting = deps.posting;
  }

  /** Moves the caller's read_seq forward and tells the other members and the caller's devices. */
  async markRead(auth: AuthContext, conversationId: string, seq: number, origin: Origin = {}) {
    const ref = await this.#access.requireMember(auth.userId, conversationId);
    const readSeq = await this.#store.conversations.markRead(ref.id, auth.userId, seq);
    if (readSeq !== undefined) {
      const data = { conversation_id: ref.id, user_id: auth.userId, seq: readSeq };
      this.#fanout.toConversation(ref, 'conversation.read', data, origin);
    }
  }

  /** Records what the caller has received; in a single conversation the peer is told. */
  async markDelivered(auth: AuthContext, conversationId: string, seq: number): Promise<void> {
    const ref = await this.#access.requireMember(auth.userId, conversationId);
    const delivered = await this.#store.conversations.markDelivered(ref.id, auth.userId, seq);
    if (delivered === undefined || ref.type !== 'single') return;
    const peer = singleConversationMembers(ref.id)?.find((id) => id !== auth.userId);
    if (peer !== undefined) {
      this.#fanout.toUser(peer, 'conversation.delivered', {
        conversation_id: ref.id,
        user_id: auth.userId,
        seq: delivered,
      });
    }
  }

  /**
   * Never stored: goes to the other members' live connections only. Typing announces words to
   * come, so it passes the same checks as a send (a muted member, a user the peer has blocked,
   * … get PERMISSION_DENIED and nobody is told).
   */
  async typing(auth: AuthContext, conversationId: string): Promise<void> {
    const ref = await this.#posting.requirePoster(auth, conversationId);
    this.#fanout.toConversationLive(
      ref,
      'typing',
      { conversation_id: ref.id, user_id: auth.userId },
      { userId: auth.userId },
    );
  }
}
