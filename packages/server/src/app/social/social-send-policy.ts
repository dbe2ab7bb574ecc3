import { appError } from '../../domain/errors.js';
import type { Store } from '../../ports/store.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { SendPolicy } from '../messaging/send-policy.js';
import type { SocialGraph } from './social-graph.js';

/** friends: one-to-one messages need a friendship; anyone: any two users may talk. */
export type DmPolicy = 'friends' | 'anyone';
/** restricted: guests cannot send friend requests and message only their friends. */
export type GuestPolicy = 'restricted' | 'full';

/**
 * Who may message whom one to one: nobody whom the peer has blocked; under `dm_policy:
 * friends` only friends; guests under `guest_policy: restricted` only their friends.
 *
 * Asked on every one-to-one send, it answers from the SocialGraph's memory once the sender's
 * sets are loaded; only refusals read the store (to tell an unknown user from a stranger).
 * The messages never reveal a block: a blocked stranger hears what any stranger hears.
 */
export class SocialSendPolicy implements SendPolicy {
  readonly #graph: SocialGraph;
  readonly #store: Store;
  readonly #dmPolicy: DmPolicy;
  readonly #guestPolicy: GuestPolicy;

  constructor(
    deps: { graph: SocialGraph; store: Store },
    options: { dmPolicy: DmPolicy; guestPolicy: GuestPolicy },
  ) {
    this.#graph = deps.graph;
    this.#store = deps.store;
    this.#dmPolicy = options.dmPolicy;
    this.#guestPolicy = options.guestPolicy;
  }

  async assertCanMessage(auth: AuthContext, peerId: string): Promise<void> {
    // Talking to oneself is the conversation rules' to refuse (INVALID_ARGUMENT).
    if (peerId === auth.userId) return;
    const restrictedGuest = auth.isGuest && this.#guestPolicy === 'restricted';
    if (restrictedGuest || this.#dmPolicy === 'friends') {
      if (!(await this.#graph.areFriends(auth.userId, peerId))) {
        if ((await this.#store.users.findById(peerId)) === undefined) {
          throw appError('USER_NOT_FOUND', 'No user with that id.');
        }
        throw appError(
          'NOT_FRIENDS',
          restrictedGuest
            ? 'Guests can only message their friends.'
            : 'You can only message your friends.',
        );
      }
    }
    if (await this.#graph.isBlockedBy(auth.userId, peerId)) {
      throw appError('BLOCKED', 'You cannot message this user.');
    }
  }
}
