import { toPublicFriendRequest, type FriendRequestRecord } from '../../domain/social.js';
import type { Fanout } from '../messaging/fanout.js';

/** The `friend.*` events (docs/protocol.md, "Friends and blocks"), to every device of a user. */
export class SocialEvents {
  readonly #fanout: Fanout;

  constructor(fanout: Fanout) {
    this.#fanout = fanout;
  }

  /** To the recipient's devices and the sender's (the other devices learn of it). */
  requestSent(request: FriendRequestRecord): void {
    this.#toBoth(request, 'friend.request');
  }

  requestAccepted(request: FriendRequestRecord): void {
    this.#toBoth(request, 'friend.accepted');
  }

  requestRejected(request: FriendRequestRecord): void {
    this.#toBoth(request, 'friend.rejected');
  }

  /** Each side hears the other's id. */
  friendRemoved(userA: string, userB: string): void {
    this.#fanout.toUser(userA, 'friend.removed', { user_id: userB });
    this.#fanout.toUser(userB, 'friend.removed', { user_id: userA });
  }

  #toBoth(request: FriendRequestRecord, event: string): void {
    this.#fanout.toUsers([request.toUserId, request.fromUserId], event, {
      request: toPublicFriendRequest(request),
    });
  }
}
