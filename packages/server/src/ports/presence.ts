/**
 * Presence: which users have live connections, and when each was last seen.
 *
 * Guarantees:
 * - `connect` reports `first: true` for exactly one of a user's connections going from none
 *   to some, and `disconnect` reports `last: true` for exactly one going from some to none,
 *   however calls interleave.
 * - A user with a live connection is online; `lastSeen` is the time of the last disconnect
 *   that left the user offline (absent when never seen).
 * - The in-memory adapter covers one process; the Redis adapter covers a cluster, with a TTL
 *   per gateway so that a dead gateway's users go offline.
 */

export interface PresenceStatus {
  readonly online: boolean;
  readonly lastSeen?: number;
}

export interface Presence {
  connect(userId: string, connectionId: string): Promise<{ first: boolean }>;
  disconnect(userId: string, connectionId: string, at: number): Promise<{ last: boolean }>;
  status(userIds: readonly string[]): Promise<Map<string, PresenceStatus>>;
  /** Ids of the user's live connections. */
  connections(userId: string): Promise<string[]>;
}
