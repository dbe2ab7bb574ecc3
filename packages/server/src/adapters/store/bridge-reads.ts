/** The read side of the bridge repository: keyset pages, lookups, the account list. */
import type { Kysely, Selectable } from 'kysely';
import type {
  BridgeAccountPage,
  BridgeAccountRecord,
  BridgeItemQuery,
  BridgeItemRecord,
  BridgeKind,
} from '../../ports/bridge-store.js';
import type { BridgeAccountsTable, BridgeItemsTable } from './bridge-schema.js';
import type { Database } from './schema.js';

export const toItem = (row: Selectable<BridgeItemsTable>): BridgeItemRecord => ({
  platform: row.platform,
  accountId: row.account_id,
  kind: row.kind as BridgeKind,
  itemId: row.item_id,
  raw: row.raw,
  conversationId: row.conversation_id,
  sortTime: Number(row.sort_time),
  itemTime: Number(row.item_time),
  deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
  syncedAt: Number(row.synced_at),
});

export const toAccount = (row: Selectable<BridgeAccountsTable>): BridgeAccountRecord => ({
  platform: row.platform,
  accountId: row.account_id,
  lastSyncAt: Number(row.last_sync_at),
  lastTimestamp: Number(row.last_timestamp),
  ownerTokenId: row.owner_token_id,
});

export async function listItems(
  db: Kysely<Database>,
  query: BridgeItemQuery,
): Promise<BridgeItemRecord[]> {
  if (query.kinds.length === 0 || query.limit <= 0) return [];
  const desc = query.order === 'desc';
  const cmp = desc ? '<' : '>';
  const dir = desc ? 'desc' : 'asc';
  let q = db
    .selectFrom('bridge_items')
    .selectAll()
    .where('account_id', '=', query.accountId)
    .where('kind', 'in', [...query.kinds]);
  if (query.platform !== undefined) q = q.where('platform', '=', query.platform);
  if (query.conversationId !== undefined) {
    q = q.where('conversation_id', '=', query.conversationId);
  }
  if (query.sinceTime !== undefined) q = q.where('sort_time', '>=', query.sinceTime);
  if (query.includeDeleted !== true) q = q.where('deleted_at', 'is', null);
  const after = query.after;
  if (after !== undefined) {
    // The plain bound lets every engine seek in the page index; the OR alone makes some scan.
    q = q.where('sort_time', desc ? '<=' : '>=', after.sortTime);
    q = q.where((eb) =>
      eb.or([
        eb('sort_time', cmp, after.sortTime),
        eb.and([
          eb('sort_time', '=', after.sortTime),
          eb.or([
            eb('platform', cmp, after.platform),
            eb.and([eb('platform', '=', after.platform), eb('item_id', cmp, after.itemId)]),
          ]),
        ]),
      ]),
    );
  }
  const rows = await q
    .orderBy('sort_time', dir)
    .orderBy('platform', dir)
    .orderBy('item_id', dir)
    .limit(query.limit)
    .execute();
  return rows.map(toItem);
}

export async function findItem(
  db: Kysely<Database>,
  platform: string,
  accountId: string,
  kind: BridgeKind,
  itemId: string,
): Promise<BridgeItemRecord | undefined> {
  const row = await db
    .selectFrom('bridge_items')
    .selectAll()
    .where('platform', '=', platform)
    .where('account_id', '=', accountId)
    .where('kind', '=', kind)
    .where('item_id', '=', itemId)
    .executeTakeFirst();
  return row === undefined ? undefined : toItem(row);
}

export async function findAccount(
  db: Kysely<Database>,
  platform: string,
  accountId: string,
): Promise<BridgeAccountRecord | undefined> {
  const row = await db
    .selectFrom('bridge_accounts')
    .selectAll()
    .where('platform', '=', platform)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row === undefined ? undefined : toAccount(row);
}

export async function listAccounts(
  db: Kysely<Database>,
  accountId?: string,
  page?: BridgeAccountPage,
): Promise<BridgeAccountRecord[]> {
  if (page !== undefined && page.limit <= 0) return [];
  let q = db.selectFrom('bridge_accounts').selectAll();
  if (accountId !== undefined) q = q.where('account_id', '=', accountId);
  const after = page?.after;
  if (after !== undefined) {
    // The plain bound lets the primary key be sought; the OR alone makes some engines scan.
    q = q.where('platform', '>=', after.platform);
    q = q.where((eb) =>
      eb.or([
        eb('platform', '>', after.platform),
        eb.and([eb('platform', '=', after.platform), eb('account_id', '>', after.accountId)]),
      ]),
    );
  }
  q = q.orderBy('platform').orderBy('account_id');
  if (page !== undefined) q = q.limit(page.limit);
  return (await q.execute()).map(toAccount);
}
