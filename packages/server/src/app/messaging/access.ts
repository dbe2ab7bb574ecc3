import { setNewest } from '../../domain/bounded-map.js';
import { singleConversationMembers, type ConversationType } from '../../domain/conversation.js';
import { appError } from '../../domain/errors.js';
import { permissions } from '../../domain/group.js';
import type { Store } from '../../ports/store.js';
import type { CacheSync } from '../cluster/cache-sync.js';
import { PostingCache } from './posting-cache.js';

export interface ConversationRef {
  readonly id: string;
  readonly type: ConversationType;
}

const KNOWN_MAX = 100_000;

/**
 * Who may read and post where. Single conversations name their two members in their id, so
 * their check needs no membership read; group and world conversations check membership.
 * A conversation's type never changes, so known ones are remembered (bounded); a conversation
 * that ends (a dissolved group) is forgotten here and, through the CacheSync, on every node.
 * The posting state of members who post is remembered too, and dropped the same way whenever a
 * conversation's roles, mutes or members change (`membersChanged`).
 */
export class ConversationAccess {
  readonly #store: Store;
  readonly #known = new Map<string, ConversationType>();
  readonly #posting = new PostingCache();
  readonly #sync: CacheSync | undefined;

  constructor(store: Store, sync?: CacheSync) {
    this.#store = store;
    this.#sync = sync;
    sync?.subscribe('conversation', (ids) => {
      for (const id of ids) {
        this.#known.delete(id);
        this.#posting.drop(id);
      }
    });
    sync?.subscribe('members', (ids) => {
      for (const id of ids) this.#posting.drop(id);
    });
  }

  /** The conversation, when `userId` is a member; NOT_FOUND or PERMISSION_DENIED otherwise. */
  async requireMember(userId: string, conversationId: string): Promise<ConversationRef> {
    const ref = await this.find(conversationId);
    if (ref.type === 'single') {
      if (!singleConversationMembers(ref.id)?.includes(userId)) throw notAMember();
      return ref;
    }
    const membership = await this.#store.conversations.membership(ref.id, userId);
    if (membership === undefined) throw notAMember();
    return ref;
  }

  /**
   * Like requireMember, for posting: in group and world conversations one read (remembered)
   * returns the member's role and mute and the conversation's mute-all, and the send is checked
   * against them.
   */
  async requirePoster(
    userId: string,
    conversationId: string,
    now: number,
  ): Promise<ConversationRef> {
    const ref = await this.find(conversationId);
    if (ref.type === 'single') return this.requireMember(userId, conversationId);
    const state = await this.#posting.get(ref.id, userId, () =>
      this.#store.members.posting(ref.id, userId),
    );
    if (state === undefined) throw notAMember();
    permissions.post(state.role, state.mutedUntil, state.mutedAll, now);
    return ref;
  }

  async find(conversationId: string): Promise<ConversationRef> {
    const type = this.#known.get(conversationId);
    if (type !== undefined) return { id: conversationId, type };
    const conversation = await this.#store.conversations.find(conversationId);
    if (conversation === undefined)
      throw appError('CONVERSATION_NOT_FOUND', 'No conversation with that id.');
    this.remember(conversation);
    return { id: conversation.id, type: conversation.type };
  }

  /** True when the conversation is known to exist (no read needed). */
  knows(conversationId: string): boolean {
    return this.#known.has(conversationId);
  }

  /** The conversation ended: no node answers from memory for it any more. */
  forget(conversationId: string): void {
    this.#known.delete(conversationId);
    this.#posting.drop(conversationId);
    this.#sync?.publish('conversation', [conversationId]);
  }

  /**
   * The conversation's roles, mutes or members changed (call after the change is stored): every
   * node reads its posting state again.
   */
  membersChanged(conversationId: string): void {
    this.#posting.drop(conversationId);
    this.#sync?.publish('members', [conversationId]);
  }

  remember(ref: ConversationRef): void {
    setNewest(this.#known, ref.id, ref.type, KNOWN_MAX);
  }
}

const notAMember = () => appError('NOT_A_MEMBER', 'You are not a member of this conversation.');
