import type { PostingState } from '../../ports/group-store.js';

export interface PostingCacheLimits {
  /** Conversations with remembered members (10,000). */
  readonly maxConversations?: number;
  /** Members remembered in all of them together (100,000). */
  readonly maxEntries?: number;
}

interface Entry {
  readonly members: Map<string, PostingState>;
}

/**
 * The posting state (role, mute, mute-all) of members who post, so that a busy group's sends and
 * read receipts do not each read it from the store. Only members are remembered, never a refusal.
 * A change to a conversation's roles, mutes or members drops the whole conversation (`drop`);
 * a read that was under way when it was dropped is not kept, since it may have seen the state
 * from before the change. Bounded: the conversations filled longest ago go first, and past
 * `maxEntries` members everything is forgotten at once.
 */
export class PostingCache {
  readonly #conversations = new Map<string, Entry>();
  readonly #maxConversations: number;
  readonly #maxEntries: number;
  #entries = 0;

  constructor(limits: PostingCacheLimits = {}) {
    this.#maxConversations = limits.maxConversations ?? 10_000;
    this.#maxEntries = limits.maxEntries ?? 100_000;
  }

  async get(
    conversationId: string,
    userId: string,
    read: () => Promise<PostingState | undefined>,
  ): Promise<PostingState | undefined> {
    let entry = this.#conversations.get(conversationId);
    const known = entry?.members.get(userId);
    if (known !== undefined) return known;
    if (entry === undefined) {
      entry = { members: new Map() };
      this.#conversations.set(conversationId, entry);
      if (this.#conversations.size > this.#maxConversations) this.#dropOldest();
    }
    const state = await read();
    // Dropped (or pushed out) while the read was under way: the state may be stale.
    if (state === undefined || this.#conversations.get(conversationId) !== entry) return state;
    if (this.#entries >= this.#maxEntries) {
      this.clear();
      return state;
    }
    if (!entry.members.has(userId)) this.#entries++;
    entry.members.set(userId, state);
    return state;
  }

  /** The conversation's roles, mutes or members changed: read them again. */
  drop(conversationId: string): void {
    const entry = this.#conversations.get(conversationId);
    if (entry === undefined) return;
    this.#conversations.delete(conversationId);
    this.#entries -= entry.members.size;
  }

  clear(): void {
    this.#conversations.clear();
    this.#entries = 0;
  }

  /** Members remembered (for tests and metrics). */
  get size(): number {
    return this.#entries;
  }

  /** A Map keeps insertion order: the first conversation is the one filled longest ago. */
  #dropOldest(): void {
    const oldest = this.#conversations.keys().next();
    if (oldest.done !== true) this.drop(oldest.value);
  }
}
