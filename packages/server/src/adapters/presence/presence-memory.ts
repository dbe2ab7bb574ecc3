import { setNewest } from '../../domain/bounded-map.js';
import type { Presence, PresenceStatus } from '../../ports/presence.js';

export interface MemoryPresenceOptions {
  /** Most offline users whose last_seen is kept; the oldest are forgotten first. */
  readonly maxLastSeen?: number;
  /** This process's node id, reported by `gatewaysOf` (default `local`). */
  readonly gatewayId?: string;
}

/** The in-process Presence: a map of user → live connection ids. */
export class MemoryPresence implements Presence {
  readonly #connections = new Map<string, Set<string>>();
  readonly #lastSeen = new Map<string, number>();
  readonly #maxLastSeen: number;
  readonly #gatewayId: string;

  constructor(options: MemoryPresenceOptions = {}) {
    this.#maxLastSeen = options.maxLastSeen ?? 1_000_000;
    this.#gatewayId = options.gatewayId ?? 'local';
  }

  async connect(userId: string, connectionId: string): Promise<{ first: boolean }> {
    let set = this.#connections.get(userId);
    const first = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.#connections.set(userId, set);
    }
    set.add(connectionId);
    return { first };
  }

  async disconnect(userId: string, connectionId: string, at: number): Promise<{ last: boolean }> {
    const set = this.#connections.get(userId);
    if (set === undefined || !set.delete(connectionId)) return { last: false };
    if (set.size > 0) return { last: false };
    this.#connections.delete(userId);
    setNewest(this.#lastSeen, userId, at, this.#maxLastSeen);
    return { last: true };
  }

  async status(userIds: readonly string[]): Promise<Map<string, PresenceStatus>> {
    const result = new Map<string, PresenceStatus>();
    for (const userId of userIds) {
      const online = this.#connections.has(userId);
      const lastSeen = this.#lastSeen.get(userId);
      result.set(userId, online || lastSeen === undefined ? { online } : { online, lastSeen });
    }
    return result;
  }

  async connections(userId: string): Promise<string[]> {
    return [...(this.#connections.get(userId) ?? [])];
  }

  async gatewaysOf(userIds: readonly string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    for (const userId of userIds) {
      if (this.#connections.has(userId)) result.set(userId, [this.#gatewayId]);
    }
    return result;
  }

  /** One process: its gateway lives as long as the process. */
  async touch(): Promise<{ lost: boolean }> {
    return { lost: false };
  }

  async sweep(): Promise<string[]> {
    return [];
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
