import { singleConversationMembers } from '../../domain/conversation.js';
import type { Clock } from '../../ports/system.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { ConversationAccess, ConversationRef } from './access.js';
import type { SendPolicy } from './send-policy.js';

/**
 * Who may put words into an existing conversation: its members, and among them in group and
 * world conversations not the muted, nor anyone but the owner and admins while everyone is
 * muted; in single conversations only as the one-to-one send policy allows (DM policy, blocks,
 * guests). Sending and editing ask this one object, so an edit is refused wherever a new
 * message would be.
 */
export class PostingRules {
  readonly #access: ConversationAccess;
  readonly #policy: SendPolicy;
  readonly #clock: Clock;

  constructor(deps: { access: ConversationAccess; policy: SendPolicy; clock: Clock }) {
    this.#access = deps.access;
    this.#policy = deps.policy;
    this.#clock = deps.clock;
  }

  /** The conversation, when `auth` may post in it now; PERMISSION_DENIED or NOT_FOUND otherwise. */
  async requirePoster(auth: AuthContext, conversationId: string): Promise<ConversationRef> {
    const ref = await this.#access.requirePoster(auth.userId, conversationId, this.#clock.now());
    if (ref.type === 'single') {
      const peer = singleConversationMembers(ref.id)?.find((member) => member !== auth.userId);
      if (peer !== undefined) await this.#policy.assertCanMessage(auth, peer);
    }
    return ref;
  }
}
