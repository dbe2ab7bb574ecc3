import { invalidArgument, appError } from '../../domain/errors.js';
import {
  normalizeRequestMessage,
  toPublicFriendRequest,
  type FriendRequestRecord,
  type PublicFriendRequest,
  type SettledStatus,
} from '../../domain/social.js';
import type { RequestDirection } from '../../ports/social-store.js';
import type { Store } from '../../ports/store.js';
import type { Clock, Ids } from '../../ports/system.js';
import type { AuthContext } from '../accounts/auth-context.js';
import { cursorKey, pageLimit, toPage } from './paging.js';
import type { SocialEvents } from './social-events.js';
import type { SocialGraph } from './social-graph.js';
import type { GuestPolicy } from './social-send-policy.js';

export interface SentRequest {
  readonly request: PublicFriendRequest;
  /** True when a new request was stored; false for one already pending or a mutual accept. */
  readonly created: boolean;
}

export interface RequestPage {
  readonly requests: PublicFriendRequest[];
  readonly next_cursor: string | null;
}

/** A request that was pending, then settled by someone else while we worked: start over. */
const SEND_ATTEMPTS = 3;

/** Friend requests: send, list, accept, reject. */
export class FriendRequestService {
  readonly #store: Store;
  readonly #graph: SocialGraph;
  readonly #events: SocialEvents;
  readonly #clock: Clock;
  readonly #ids: Ids;
  readonly #guestPolicy: GuestPolicy;

  constructor(
    deps: { store: Store; graph: SocialGraph; events: SocialEvents; clock: Clock; ids: Ids },
    options: { guestPolicy: GuestPolicy },
  ) {
    this.#store = deps.store;
    this.#graph = deps.graph;
    this.#events = deps.events;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#guestPolicy = options.guestPolicy;
  }

  /**
   * Asks `userId` to be friends. Your own pending request to them is returned unchanged; their
   * pending request to you is accepted instead (a mutual request makes the friendship).
   */
  async send(auth: AuthContext, userId: string, message?: string): Promise<SentRequest> {
    if (auth.isGuest && this.#guestPolicy === 'restricted') {
      throw appError('GUEST_RESTRICTED', 'Guests cannot send friend requests.');
    }
    if (userId === auth.userId) {
      throw invalidArgument('You cannot send a friend request to yourself.', 'user_id');
    }
    const note = normalizeRequestMessage(message);
    if ((await this.#store.users.findById(userId)) === undefined) {
      throw appError('USER_NOT_FOUND', 'No user with that id.');
    }
    if (await this.#store.friends.areFriends(auth.userId, userId)) {
      throw appError('ALREADY_FRIENDS', 'You are already friends with this user.');
    }
    // The same answer as for any refusal: the message does not reveal the block.
    if (await this.#store.blocks.isBlocked(userId, auth.userId)) {
      throw appError('BLOCKED', 'You cannot send a friend request to this user.');
    }
    if (await this.#store.blocks.isBlocked(auth.userId, userId)) {
      throw appError(
        'YOU_BLOCKED_THEM',
        'You have blocked this user: unblock them before sending a friend request.',
      );
    }
    for (let attempt = 0; attempt < SEND_ATTEMPTS; attempt++) {
      const now = this.#clock.now();
      const { request, created } = await this.#store.friends.createRequest({
        id: this.#ids.next(),
        fromUserId: auth.userId,
        toUserId: userId,
        message: note,
        status: 'pending',
        createdAt: now,
        updatedAt: now,
      });
      if (created) {
        await this.#withdrawIfOvertaken(request);
        this.#events.requestSent(request);
        return { request: toPublicFriendRequest(request), created: true };
      }
      if (request.fromUserId === auth.userId) {
        return { request: toPublicFriendRequest(request), created: false };
      }
      // Theirs to us: accept it.
      const settled = await this.#settle(request.id, 'accepted');
      if (settled?.status === 'accepted') {
        return { request: toPublicFriendRequest(settled), created: false };
      }
      // Rejected or canceled in the meantime: ask anew.
    }
    throw appError('SERVER_BUSY', 'The friend request kept changing; try again.');
  }

  /** Pending requests to the caller (`incoming`) or from the caller (`outgoing`), newest first. */
  async list(
    auth: AuthContext,
    direction: RequestDirection,
    options: { limit?: number | undefined; cursor?: string | undefined } = {},
  ): Promise<RequestPage> {
    const limit = pageLimit(options.limit);
    const rows = await this.#store.friends.listPending(auth.userId, direction, {
      after: cursorKey(options.cursor),
      limit: limit + 1,
    });
    const page = toPage(rows, limit, (r) => r.id);
    return { requests: page.items.map(toPublicFriendRequest), next_cursor: page.nextCursor };
  }

  /** Accepts a request to the caller; accepting an accepted one returns it. */
  accept(auth: AuthContext, requestId: string): Promise<PublicFriendRequest> {
    return this.#answer(auth, requestId, 'accepted');
  }

  /** Rejects a request to the caller; rejecting a rejected one returns it. */
  reject(auth: AuthContext, requestId: string): Promise<PublicFriendRequest> {
    return this.#answer(auth, requestId, 'rejected');
  }

  async #answer(
    auth: AuthContext,
    requestId: string,
    status: 'accepted' | 'rejected',
  ): Promise<PublicFriendRequest> {
    const request = await this.#store.friends.findRequest(requestId);
    if (
      request === undefined ||
      (request.toUserId !== auth.userId && request.fromUserId !== auth.userId)
    ) {
      throw appError('FRIEND_REQUEST_NOT_FOUND', 'No friend request with that id.');
    }
    if (request.toUserId !== auth.userId) {
      throw appError(
        'NOT_THE_RECIPIENT',
        'Only the recipient can accept or reject a friend request.',
      );
    }
    const settled = request.status === 'pending' ? await this.#settle(request.id, status) : request;
    if (settled === undefined)
      throw appError('FRIEND_REQUEST_NOT_FOUND', 'No friend request with that id.');
    if (settled.status !== status) {
      throw appError('ALREADY_SETTLED', `This friend request is already ${settled.status}.`);
    }
    return toPublicFriendRequest(settled);
  }

  /**
   * Checks a just-stored request against what committed while it was being stored: a mutual
   * request accepted (the insert waited for that commit) or a block by the recipient. Either
   * way the request is withdrawn and the sender hears what they would have heard before.
   */
  async #withdrawIfOvertaken(request: FriendRequestRecord): Promise<void> {
    const { fromUserId: from, toUserId: to } = request;
    const friends = await this.#store.friends.areFriends(from, to);
    if (!friends && !(await this.#store.blocks.isBlocked(to, from))) return;
    await this.#store.friends.settleRequest(request.id, 'canceled', this.#clock.now());
    throw friends
      ? appError('ALREADY_FRIENDS', 'You are already friends with this user.')
      : appError('BLOCKED', 'You cannot send a friend request to this user.');
  }

  /** Settles a pending request; the one caller that changed it records and announces it. */
  async #settle(
    requestId: string,
    status: SettledStatus,
  ): Promise<FriendRequestRecord | undefined> {
    const result = await this.#store.friends.settleRequest(requestId, status, this.#clock.now());
    if (result === undefined) return undefined;
    const { request, changed } = result;
    if (changed && request.status === 'accepted') {
      this.#graph.friendshipAdded(request.fromUserId, request.toUserId);
      this.#events.requestAccepted(request);
    } else if (changed && request.status === 'rejected') {
      this.#events.requestRejected(request);
    }
    return request;
  }
}
