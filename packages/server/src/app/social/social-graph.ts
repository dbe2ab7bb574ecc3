import type { Store } from '../../ports/store.js';
import type { CacheSync } from '../cluster/cache-sync.js';
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
 * It is exact for changes made through this process. With a CacheSync (the cluster shape),
 * each change also drops the changed sets on every other node, which reload them on next use.
 */
export class SocialGraph {
  readonly #friends: BoundedSetCache;
  readonly #blockedBy: BoundedSetCache;
  readonly #sync: CacheSync | undefined;

  constructor(
    store: Store,
    options: SocialGraphOptions = DEFAULT_SOCIAL_GRAPH_OPTIONS,
    sync?: CacheSync,
  ) {
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
    this.#sync = sync;
    // Keys: `f:<user>` for a user's friend set, `b:<user>` for the users who blocked them.
    sync?.subscribe('social', (keys) => {
      for (const key of keys) {
        if (key.startsWith('f:')) this.#friends.forget(key.slice(2));
        else if (key.startsWith('b:')) this.#blockedBy.forget(key.slice(2));
      }
    });
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
    this.#sync?.publish('social', [`f:${userA}`, `f:${userB}`]);
  }

  friendshipRemoved(userA: string, userB: string): void {
    this.#friends.remove(userA, userB);
    this.#friends.remove(userB, userA);
    this.#sync?.publish('social', [`f:${userA}`, `f:${userB}`]);
  }

  blockAdded(blockerId: string, blockedId: string): void {
    this.#blockedBy.add(blockedId, blockerId);
    this.#sync?.publish('social', [`b:${blockedId}`]);
  }

  blockRemoved(blockerId: string, blockedId: string): void {
    this.#blockedBy.remove(blockedId, blockerId);
    this.#sync?.publish('social', [`b:${blockedId}`]);
  }

  /** Sets held in memory (for tests and metrics). */
  get cachedSets(): { friends: number; blockedBy: number } {
    return { friends: this.#friends.size, blockedBy: this.#blockedBy.size };
  }
}
