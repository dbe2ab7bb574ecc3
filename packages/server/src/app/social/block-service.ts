import { invalidArgument, appError } from '../../domain/errors.js';
import { toPublicUser, type PublicUser } from '../../domain/user.js';
import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';
import type { AuthContext } from '../accounts/auth-context.js';
import { cursorKey, pageLimit, toPage } from './paging.js';
import type { SocialGraph } from './social-graph.js';

export interface BlockedPage {
  readonly users: PublicUser[];
  readonly next_cursor: string | null;
}

/**
 * Blocks are one-way: the blocked user can no longer send the blocker friend requests or
 * one-to-one messages, and is not told. Blocking cancels the pending requests between the two.
 */
export class BlockService {
  readonly #store: Store;
  readonly #graph: SocialGraph;
  readonly #clock: Clock;

  constructor(deps: { store: Store; graph: SocialGraph; clock: Clock }) {
    this.#store = deps.store;
    this.#graph = deps.graph;
    this.#clock = deps.clock;
  }

  /** Blocks a user (idempotent). */
  async block(auth: AuthContext, userId: string): Promise<void> {
    if (userId === auth.userId) throw invalidArgument('You cannot block yourself.', 'user_id');
    if ((await this.#store.users.findById(userId)) === undefined) {
      throw appError('USER_NOT_FOUND', 'No user with that id.');
    }
    await this.#store.blocks.block(auth.userId, userId, this.#clock.now());
    this.#graph.blockAdded(auth.userId, userId);
  }

  /** Lifts a block (idempotent). */
  async unblock(auth: AuthContext, userId: string): Promise<void> {
    if (userId === auth.userId) throw invalidArgument('You cannot unblock yourself.', 'user_id');
    await this.#store.blocks.unblock(auth.userId, userId);
    this.#graph.blockRemoved(auth.userId, userId);
  }

  /** The users the caller has blocked, ordered by user id, a page at a time. */
  async list(
    auth: AuthContext,
    options: { limit?: number | undefined; cursor?: string | undefined } = {},
  ): Promise<BlockedPage> {
    const limit = pageLimit(options.limit);
    const rows = await this.#store.blocks.listBlocked(auth.userId, {
      after: cursorKey(options.cursor),
      limit: limit + 1,
    });
    const page = toPage(rows, limit, (r) => r.blockedId);
    const users = new Map(
      (await this.#store.users.findByIds(page.items.map((r) => r.blockedId))).map((u) => [u.id, u]),
    );
    const list = page.items.flatMap((r) => {
      const user = users.get(r.blockedId);
      return user === undefined ? [] : [toPublicUser(user)];
    });
    return { users: list, next_cursor: page.nextCursor };
  }
}
