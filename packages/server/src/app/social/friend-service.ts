import { invalidArgument } from '../../domain/errors.js';
import { toPublicUser, type PublicUser } from '../../domain/user.js';
import type { Store } from '../../ports/store.js';
import type { AuthContext } from '../accounts/auth-context.js';
import { cursorKey, pageLimit, toPage } from './paging.js';
import type { SocialEvents } from './social-events.js';
import type { SocialGraph } from './social-graph.js';

export interface FriendPage {
  readonly friends: PublicUser[];
  readonly next_cursor: string | null;
}

/** Friendships: list and end them. */
export class FriendService {
  readonly #store: Store;
  readonly #graph: SocialGraph;
  readonly #events: SocialEvents;

  constructor(deps: { store: Store; graph: SocialGraph; events: SocialEvents }) {
    this.#store = deps.store;
    this.#graph = deps.graph;
    this.#events = deps.events;
  }

  /** The caller's friends, ordered by user id, a page at a time. */
  async list(
    auth: AuthContext,
    options: { limit?: number | undefined; cursor?: string | undefined } = {},
  ): Promise<FriendPage> {
    const limit = pageLimit(options.limit);
    const rows = await this.#store.friends.listFriends(auth.userId, {
      after: cursorKey(options.cursor),
      limit: limit + 1,
    });
    const page = toPage(rows, limit, (r) => r.friendId);
    const users = new Map(
      (await this.#store.users.findByIds(page.items.map((r) => r.friendId))).map((u) => [u.id, u]),
    );
    const friends = page.items.flatMap((r) => {
      const user = users.get(r.friendId);
      return user === undefined ? [] : [toPublicUser(user)];
    });
    return { friends, next_cursor: page.nextCursor };
  }

  /** Ends the friendship on both sides; nothing to end is fine too (idempotent). */
  async remove(auth: AuthContext, friendId: string): Promise<void> {
    if (friendId === auth.userId) {
      throw invalidArgument('You cannot unfriend yourself.', 'user_id');
    }
    const removed = await this.#store.friends.removeFriendship(auth.userId, friendId);
    if (!removed) return;
    this.#graph.friendshipRemoved(auth.userId, friendId);
    this.#events.friendRemoved(auth.userId, friendId);
  }
}
