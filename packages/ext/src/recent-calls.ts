/**
 * The calls of the last minutes, by message: a repeated call for the same `msg_id` (Parley
 * retries after a timeout) finds the first one's work instead of starting it again. Bounded in
 * entries and age; the least recently used entry goes first. One process only: a retry that
 * reaches another instance runs the handler again, which is why handlers must be idempotent.
 */
export interface RecentCallsOptions {
  /** Entries kept at most. */
  readonly maxEntries: number;
  /** How long an entry is kept after it was stored. */
  readonly ttlMs: number;
}

export class RecentCalls<V> {
  readonly #options: RecentCallsOptions;
  readonly #now: () => number;
  // A Map iterates in insertion order: re-inserting on use keeps the oldest first.
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(options: RecentCallsOptions, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#now()) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + this.#options.ttlMs });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#options.maxEntries) break;
      this.#entries.delete(oldest);
    }
  }

  /** Removes `key` if it still holds `value` (a later call may have replaced it). */
  delete(key: string, value: V): void {
    if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
  }
}
