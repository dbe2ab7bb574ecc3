/**
 * Presence: which users have live connections, on which gateways, and when each was last seen.
 *
 * An adapter instance belongs to one gateway (node): `connect` and `disconnect` record that
 * gateway's connections. Every instance sharing a backing store (one process for the memory
 * adapter, a Redis for the Redis one) sees the same users.
 *
 * Guarantees:
 * - `connect` reports `first: true` for exactly one of a user's connections going from none
 *   to some, and `disconnect` reports `last: true` for exactly one going from some to none,
 *   however calls interleave, across every gateway sharing the store.
 * - A user with a live connection on a live gateway is online; `lastSeen` is the time of the
 *   last disconnect that left the user offline (absent when never seen).
 * - A gateway stays live while it calls `touch` within the TTL. Once it stops (it died), its
 *   connections no longer count, and `sweep` reports each user who went offline that way
 *   exactly once, across every caller.
 * - The in-memory adapter covers one process (its gateway never expires); the Redis adapter
 *   covers a cluster.
 */

export interface PresenceStatus {
  readonly online: boolean;
  readonly lastSeen?: number;
}

export interface Presence {
  connect(userId: string, connectionId: string): Promise<{ first: boolean }>;
  disconnect(userId: string, connectionId: string, at: number): Promise<{ last: boolean }>;
  status(userIds: readonly string[]): Promise<Map<string, PresenceStatus>>;
  /** Ids of the user's live connections, on every live gateway. */
  connections(userId: string): Promise<string[]>;
  /**
   * The live gateways holding connections of each of these users; offline users are absent.
   * One round trip per call, whatever the number of users (callers batch).
   */
  gatewaysOf(userIds: readonly string[]): Promise<Map<string, string[]>>;
  /**
   * Keeps this gateway live for another TTL (the composition root calls it every TTL / 3).
   * `lost: true` when the gateway was not live before this call (its TTL ran out, or the
   * backing store restarted empty): its connections may have been forgotten, and what was
   * routed by presence meanwhile skipped them, so the gateway has their clients reconnect (and
   * catch up), which records them again with `connect`.
   */
  touch(): Promise<{ lost: boolean }>;
  /**
   * Users whose every connection was on gateways that expired: they are offline from now, with
   * `lastSeen` = `at`. Each such user is reported to exactly one caller.
   */
  sweep(at: number): Promise<string[]>;
  /** Resolves while the backing store answers (for /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
