/**
 * Reading a platform account's items (BRIDGE.md, `/api/im/*` and `bridge.subscribe`): only by
 * users granted the account, a keyset page at a time.
 */
import { appError, notFound } from '../../domain/errors.js';
import type {
  BridgeCursor,
  BridgeGrantRepository,
  BridgeItemQuery,
  BridgeItemRecord,
  BridgeItemRepository,
  BridgeKind,
} from '../../ports/bridge-store.js';
import type { UserRepository } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';

/** The most items a page holds, whatever the client asks (BRIDGE.md: count at most 100). */
export const MAX_PAGE_ITEMS = 100;
/** Rows a filtered page may look at before it answers with what it found (has_more true). */
const MAX_SCANNED_ROWS = 5_000;

export interface BridgePageQuery extends Omit<BridgeItemQuery, 'limit' | 'includeDeleted'> {
  readonly count: number;
  /** A filter the store cannot apply (the unified inbox's comment/discussion split). */
  readonly accept?: (item: BridgeItemRecord) => boolean;
}

export interface BridgePage {
  readonly items: readonly BridgeItemRecord[];
  readonly hasMore: boolean;
  /** Where the next page starts: after the last item listed (or looked at); undefined: none yet. */
  readonly next: BridgeCursor | undefined;
}

const positionOf = (item: BridgeItemRecord): BridgeCursor => ({
  sortTime: item.sortTime,
  platform: item.platform,
  itemId: item.itemId,
});

export class BridgeReadService {
  readonly #items: BridgeItemRepository;
  readonly #grants: BridgeGrantRepository;
  readonly #users: Pick<UserRepository, 'findById'>;
  readonly #clock: Clock;

  constructor(deps: {
    items: BridgeItemRepository;
    grants: BridgeGrantRepository;
    users: Pick<UserRepository, 'findById'>;
    clock: Clock;
  }) {
    this.#items = deps.items;
    this.#grants = deps.grants;
    this.#users = deps.users;
    this.#clock = deps.clock;
  }

  /** True when the worker token owns an account with this id (on any platform). */
  async ownsAccount(workerTokenId: string, accountId: string): Promise<boolean> {
    const accounts = await this.#items.listAccounts(accountId);
    return accounts.some((a) => a.ownerTokenId === workerTokenId);
  }

  /**
   * Lets a user read an account. The caller is authorized by the transport (the operator's
   * admin token, or the worker token owning the account). True when newly granted.
   */
  async grant(accountId: string, userId: string): Promise<boolean> {
    if ((await this.#users.findById(userId)) === undefined) {
      throw notFound(`There is no user ${userId}.`);
    }
    return this.#grants.grant(accountId, userId, this.#clock.now());
  }

  /** PERMISSION_DENIED unless the user was granted the account. */
  async authorize(userId: string, accountId: string): Promise<void> {
    if (!(await this.#grants.isGranted(accountId, userId))) {
      throw appError(
        'PERMISSION_DENIED',
        `You were not granted the account ${accountId}; an operator grants it.`,
      );
    }
  }

  /** Items of the account by key (a page's related items: the posts its comments are on). */
  async findItems(
    accountId: string,
    refs: readonly { platform: string; kind: BridgeKind; itemId: string }[],
  ): Promise<BridgeItemRecord[]> {
    const found = await Promise.all(
      refs.map((r) => this.#items.find(r.platform, accountId, r.kind, r.itemId)),
    );
    return found.filter((r): r is BridgeItemRecord => r !== undefined && r.deletedAt === null);
  }

  /** One page of the account's live (not deleted) items, for a granted user. */
  async page(userId: string, query: BridgePageQuery): Promise<BridgePage> {
    await this.authorize(userId, query.accountId);
    const count = Math.max(1, Math.min(MAX_PAGE_ITEMS, Math.trunc(query.count)));
    const { accept, count: _count, ...base } = query;
    const found: BridgeItemRecord[] = [];
    let after = query.after;
    let scanned = 0;
    // One more than asked tells whether there is more. With a filter, rows are looked at in
    // runs until the page is full, the account ends, or the scan bound is reached.
    for (;;) {
      const want = accept === undefined ? count + 1 : MAX_PAGE_ITEMS + 1;
      const rows = await this.#items.list({ ...base, after, limit: want });
      scanned += rows.length;
      for (const row of rows) {
        after = positionOf(row);
        if (accept !== undefined && !accept(row)) continue;
        found.push(row);
        if (found.length > count) {
          const items = found.slice(0, count);
          return { items, hasMore: true, next: positionOf(items[count - 1]!) };
        }
      }
      if (rows.length < want) return { items: found, hasMore: false, next: after };
      if (scanned >= MAX_SCANNED_ROWS) return { items: found, hasMore: true, next: after };
    }
  }
}
