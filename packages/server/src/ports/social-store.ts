/**
 * The social-graph repositories of the Store: friend requests, friendships and blocks.
 *
 * Guarantees every adapter keeps (test/contract/social-store.contract.ts checks them):
 * - At most one request is pending between two users, in either direction, also under
 *   concurrent `createRequest` calls: the store enforces it (a unique key on the pair while
 *   pending), not the caller.
 * - A pending request is settled (accepted, rejected or canceled) by exactly one of any
 *   number of concurrent `settleRequest` calls; the others see `changed: false` and the
 *   request as it now is. Settling never leaves `pending` again.
 * - Accepting stores the friendship (both directions) in the same transaction as the status
 *   change: both commit or neither does. Storing a friendship that exists changes nothing.
 * - A request stored while another for the pair was pending waited for that one to settle: a
 *   read after `createRequest` resolves sees the friendship an accept of it made.
 * - A friendship is symmetric: `areFriends(a, b) === areFriends(b, a)` at every commit.
 * - `block` stores the block and cancels every pending request between the two users (both
 *   directions) in one transaction. Blocks are one-way.
 * - Lists are paged by a key (`after`: the last id of the previous page): pages neither skip
 *   nor repeat rows that exist for the whole walk.
 */
import type {
  BlockRecord,
  FriendRequestRecord,
  FriendshipRecord,
  SettledStatus,
} from '../domain/social.js';

export type RequestDirection = 'incoming' | 'outgoing';

export interface Page {
  /** Rows after this key (the last id of the previous page). */
  readonly after?: string | undefined;
  readonly limit: number;
}

export interface CreatedRequest {
  /** The new request, or the one already pending between the two users (either direction). */
  readonly request: FriendRequestRecord;
  /** True when `request` is the one passed in, now stored. */
  readonly created: boolean;
}

export interface SettledRequest {
  /** The request as it is after the call. */
  readonly request: FriendRequestRecord;
  /** True for the one call that moved it out of `pending`. */
  readonly changed: boolean;
}

export interface FriendRepository {
  /**
   * Stores a pending request unless one is already pending between the two users (in either
   * direction); then that one is returned with `created: false`.
   */
  createRequest(request: FriendRequestRecord): Promise<CreatedRequest>;
  findRequest(requestId: string): Promise<FriendRequestRecord | undefined>;
  /** The pending request between two users, in either direction. */
  pendingBetween(userA: string, userB: string): Promise<FriendRequestRecord | undefined>;
  /** Pending requests to (`incoming`) or from (`outgoing`) the user, newest first (by id descending). */
  listPending(
    userId: string,
    direction: RequestDirection,
    page: Page,
  ): Promise<FriendRequestRecord[]>;
  /**
   * Moves a pending request to `status` (accepting also stores the friendship); undefined when
   * there is no such request. A request that is not pending is returned unchanged.
   */
  settleRequest(
    requestId: string,
    status: SettledStatus,
    at: number,
  ): Promise<SettledRequest | undefined>;
  areFriends(userA: string, userB: string): Promise<boolean>;
  /** Up to `limit` friend ids of the user, in no particular order (for caches). */
  friendIds(userId: string, limit: number): Promise<string[]>;
  /** The user's friendships, ordered by friend id (`after` is a friend id). */
  listFriends(userId: string, page: Page): Promise<FriendshipRecord[]>;
  /** Ends a friendship, both sides; true when there was one. */
  removeFriendship(userA: string, userB: string): Promise<boolean>;
}

export interface BlockResult {
  /** True when the block is new. */
  readonly created: boolean;
  /** The requests between the two users this call canceled. */
  readonly canceled: FriendRequestRecord[];
}

export interface BlockRepository {
  /** Stores the block (idempotent) and cancels the pending requests between the two. */
  block(blockerId: string, blockedId: string, at: number): Promise<BlockResult>;
  /** True when there was a block to remove. */
  unblock(blockerId: string, blockedId: string): Promise<boolean>;
  isBlocked(blockerId: string, blockedId: string): Promise<boolean>;
  /** Up to `limit` ids of the users who have blocked `blockedId` (for caches). */
  blockerIds(blockedId: string, limit: number): Promise<string[]>;
  /** The users `blockerId` has blocked, ordered by their id (`after` is a blocked user's id). */
  listBlocked(blockerId: string, page: Page): Promise<BlockRecord[]>;
}
