import type { Store } from '../../ports/store.js';
import { BoundedSetCache } from './bounded-set-cache.js';

export interface SocialGraphOptions {
  /** Users whose friend set (and, separately, blocked-by set) is kept in memory. */
  readonly maxUsers: number;
  /** Larger sets are not kept: their checks read the store. */
  readonly maxSetSize: number;
}

export const DEFAULT_SOCIAL_GRAPH_OPTIONS: SocialGraphOptions = {
  maxUsers: 100_000,
  maxSetSize: 10_000,
};

/**
 * The in-process view of friendships and blocks that the send policy asks on every one-to-one
 * send: each user's friend set and the set of users who blocked them, loaded from the store
 * on first use, bounded, and updated by the social use cases after each change commits.
 *
 * It is exact for changes made through this process. Another process (the cluster shape)
 * changing the graph is not seen until the set is evicted or this process restarts.
 */
export class SocialGraph {
  readonly #friends: BoundedSetCache;
  readonly #blockedBy: BoundedSetCache;

  constructor(store: Store, options: SocialGraphOptions = DEFAULT_SOCIAL_GRAPH_OPTIONS) {
    this.#friends = new BoundedSetCache(
      (userId, limit) => store.friends.friendIds(userId, limit),
      (userId, friendId) => store.friends.areFriends(userId, friendId),
      { maxKeys: options.maxUsers, maxSetSize: options.maxSetSize },
    );
    this.#blockedBy = new BoundedSetCache(
      (userId, limit) => store.blocks.blockerIds(userId, limit),
      (userId, blockerId) => store.blocks.isBlocked(blockerId, userId),
      { maxKeys: options.maxUsers, maxSetSize: options.maxSetSize },
    );
  }

  areFriends(userId: string, otherId: string): Promise<boolean> {
    return this.#friends.has(userId, otherId);
  }

  /** True when `blockerId` has blocked `userId`. */
  isBlockedBy(userId: string, blockerId: string): Promise<boolean> {
    return this.#blockedBy.has(userId, blockerId);
  }

  friendshipAdded(userA: string, userB: string): void {
    this.#friends.add(userA, userB);
    this.#friends.add(userB, userA);
  }

  friendshipRemoved(userA: string, userB: string): void {
    this.#friends.remove(userA, userB);
    this.#friends.remove(userB, userA);
  }

  blockAdded(blockerId: string, blockedId: string): void {
    this.#blockedBy.add(blockedId, blockerId);
  }

  blockRemoved(blockerId: string, blockedId: string): void {
    this.#blockedBy.remove(blockedId, blockerId);
  }

  /** Sets held in memory (for tests and metrics). */
  get cachedSets(): { friends: number; blockedBy: number } {
    return { friends: this.#friends.size, blockedBy: this.#blockedBy.size };
  }
}
