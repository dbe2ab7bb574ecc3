import { invalidArgument, appError } from '../../domain/errors.js';
import { GROUP_NAME_MAX } from '../../domain/group.js';
import { hasControlCharacters } from '../../domain/user.js';
import type { Store } from '../../ports/store.js';
import type { Clock, Ids } from '../../ports/system.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { ConversationAccess } from '../messaging/access.js';
import type { GroupEvents } from './group-events.js';

export interface PublicWorld {
  readonly conversation_id: string;
  readonly name: string;
  readonly member_count: number;
  readonly created_at: number;
}

const WORLD_LIST_MAX = 100;

/** World conversations: public channels anyone may list and join; their creator owns them. */
export class WorldService {
  readonly #deps: {
    store: Store;
    access: ConversationAccess;
    events: GroupEvents;
    clock: Clock;
    ids: Ids;
  };
  readonly #options: { guestsRestricted: boolean; maxMembers: number };

  constructor(
    deps: { store: Store; access: ConversationAccess; events: GroupEvents; clock: Clock; ids: Ids },
    options: { guestsRestricted: boolean; maxMembers: number },
  ) {
    this.#deps = deps;
    this.#options = options;
  }

  async list(): Promise<PublicWorld[]> {
    const worlds = await this.#deps.store.conversations.worlds(WORLD_LIST_MAX);
    return worlds.map((w) => ({
      conversation_id: w.id,
      name: w.name,
      member_count: w.memberCount,
      created_at: w.createdAt,
    }));
  }

  async create(auth: AuthContext, rawName: string): Promise<PublicWorld> {
    if (auth.isGuest && this.#options.guestsRestricted) {
      throw appError('GUEST_RESTRICTED', 'Guests cannot create world conversations.');
    }
    const name = rawName.trim();
    if (name.length === 0 || name.length > GROUP_NAME_MAX || hasControlCharacters(name)) {
      throw invalidArgument(`name must be 1–${GROUP_NAME_MAX} characters.`, 'name');
    }
    const { store, clock, ids } = this.#deps;
    const id = `w_${ids.next()}`;
    const now = clock.now();
    await store.transaction(async (tx) => {
      await tx.conversations.ensure({ id, type: 'world', name, createdAt: now }, []);
      await tx.members.add(id, [auth.userId], 'owner', now, this.#options.maxMembers);
    });
    this.#deps.access.remember({ id, type: 'world' });
    this.#deps.events.joined(id, [auth.userId], {
      conversation_id: id,
      user_ids: [auth.userId],
      count: 1,
      by: auth.userId,
    });
    return { conversation_id: id, name, member_count: 1, created_at: now };
  }

  /** Leaving a world: anyone but its owner. */
  async leave(auth: AuthContext, conversationId: string): Promise<void> {
    const ref = await this.#deps.access.find(conversationId);
    if (ref.type !== 'world') {
      throw appError('FAILED_PRECONDITION', 'Leave groups through the group API.');
    }
    const member = await this.#deps.store.members.get(ref.id, auth.userId);
    if (member === undefined) return;
    if (member.role === 'owner') {
      throw appError('OWNER_CANNOT_LEAVE', 'The owner of a world conversation cannot leave it.');
    }
    if (await this.#deps.store.members.remove(ref.id, auth.userId)) {
      this.#deps.events.left(ref.id, auth.userId, {
        conversation_id: ref.id,
        user_id: auth.userId,
        reason: 'left',
        by: auth.userId,
      });
    }
  }
}
