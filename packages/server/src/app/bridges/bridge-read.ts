/**
 * Reading a platform account's items (BRIDGE.md, `/api/im/*` and `bridge.subscribe`): only by
 * users granted the account (bridge-grants.ts), a keyset page at a time.
 */
import { appError } from '../../domain/errors.js';
import type {
  BridgeCursor,
  BridgeGrantRepository,
  BridgeItemQuery,
  BridgeItemRecord,
  BridgeItemRepository,
  BridgeKind,
} from '../../ports/bridge-store.js';

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
  readonly #grants: Pick<BridgeGrantRepository, 'isGranted'>;

  constructor(deps: {
    items: BridgeItemRepository;
    grants: Pick<BridgeGrantRepository, 'isGranted'>;
  }) {
    this.#items = deps.items;
    this.#grants = deps.grants;
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
