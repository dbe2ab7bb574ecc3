import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  BridgeAccountPage,
  BridgeAccountRecord,
  BridgeApplyResult,
  BridgeBatch,
  BridgeItemInput,
  BridgeItemQuery,
  BridgeItemRecord,
  BridgeItemRepository,
  BridgeKind,
  BridgeKindStats,
  SetAccountOwnerResult,
} from '../../ports/bridge-store.js';
import { claimAccount, setAccountOwner } from './bridge-account-owner.js';
import type { BridgeItemsTable } from './bridge-schema.js';
import { findAccount, findItem, listAccounts, listItems, toItem } from './bridge-reads.js';
import type { EngineSql } from './engine-sql.js';
import { inTransaction } from './rows.js';
import type { Database } from './schema.js';

/** Rows per statement: 10 columns × 500 stays far under every engine's parameter limit. */
const CHUNK = 500;
/** Stored rows read per statement when a snapshot loads what it may replace. */
const READ_RUN = 2_000;
/** Attempts of a batch that keeps losing races before the error is the answer. */
const MAX_ATTEMPTS = 5;

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/** The last copy of an id in a batch wins, as if the items were applied in order. */
function lastOfEachId(items: readonly BridgeItemInput[]): BridgeItemInput[] {
  const byId = new Map<string, BridgeItemInput>();
  for (const item of items) {
    byId.delete(item.itemId);
    byId.set(item.itemId, item);
  }
  return [...byId.values()];
}

/** Writes item rows inside the open transaction, synchronously (sqlite-bridge-rows.ts). */
export interface BridgeRowWriter {
  /** Rows known to be new. */
  insert(rows: readonly BridgeItemsTable[]): void;
  /** Rows known to exist: everything but sort_time (kept as first stored) is rewritten. */
  rewrite(rows: readonly BridgeItemsTable[]): void;
}

export interface BridgeRepositoryOptions {
  /** Where reads go (a second SQLite connection: reads never wait for a batch); default `db`. */
  readonly readDb?: Kysely<Database>;
  /**
   * Yield the event loop between the statements of a batch. For SQLite, whose driver runs
   * synchronously: a 10,000-item snapshot stays one transaction, on a connection of its own,
   * without holding the loop for its whole length.
   */
  readonly yieldBetweenStatements?: boolean;
  /**
   * Writes item rows on the connection `db`'s transactions run on, instead of kysely's
   * multi-row statements (SQLite, whose one connection is the transaction's).
   */
  readonly rows?: BridgeRowWriter;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class KyselyBridgeItemRepository implements BridgeItemRepository {
  readonly #db: Kysely<Database>;
  readonly #read: Kysely<Database>;
  readonly #engine: EngineSql;
  readonly #yield: () => Promise<void>;
  readonly #rows: BridgeRowWriter | undefined;

  constructor(db: Kysely<Database>, engine: EngineSql, options: BridgeRepositoryOptions = {}) {
    this.#db = db;
    this.#read = options.readDb ?? db;
    this.#engine = engine;
    this.#yield = options.yieldBetweenStatements === true ? nextTurn : async () => {};
    this.#rows = options.rows;
  }

  async apply(batch: BridgeBatch, at: number): Promise<BridgeApplyResult> {
    // A batch that lost a race (a deadlock on MySQL) was rolled back whole: run it again,
    // unless it is part of a caller's transaction, which must see the error.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#applyOnce(batch, at);
      } catch (err) {
        if (this.#db.isTransaction || attempt >= MAX_ATTEMPTS) throw err;
        if (!this.#engine.isWriteConflict(err)) throw err;
      }
    }
  }

  #applyOnce(batch: BridgeBatch, at: number): Promise<BridgeApplyResult> {
    return inTransaction(this.#db, async (trx) => {
      await this.#lockAccount(trx, batch, at);
      const stats: Partial<Record<BridgeKind, BridgeKindStats>> = {};
      const changed: BridgeItemRecord[] = [];
      for (const [kind, items] of Object.entries(batch.items) as [
        BridgeKind,
        readonly BridgeItemInput[],
      ][]) {
        stats[kind] = await this.#applyKind(trx, batch, kind, lastOfEachId(items), at, changed);
      }
      return { stats, changed };
    });
  }

  /**
   * Creates or touches the account row in one upsert: its row lock orders batches of one
   * account. (On MySQL a plain INSERT that hits the duplicate takes a shared lock, and two
   * such transactions then deadlock on the UPDATE; ON DUPLICATE KEY UPDATE locks exclusively.)
   */
  async #lockAccount(trx: Kysely<Database>, batch: BridgeBatch, at: number): Promise<void> {
    const ts = batch.timestamp;
    const newest = sql<number>`case when bridge_accounts.last_timestamp < ${ts} then ${ts} else bridge_accounts.last_timestamp end`;
    const insert = trx.insertInto('bridge_accounts').values({
      platform: batch.platform,
      account_id: batch.accountId,
      last_sync_at: at,
      last_timestamp: ts,
    });
    await (
      this.#engine.engine === 'mysql'
        ? insert.onDuplicateKeyUpdate({ last_sync_at: at, last_timestamp: newest })
        : insert.onConflict((oc) =>
            oc
              .columns(['platform', 'account_id'])
              .doUpdateSet({ last_sync_at: at, last_timestamp: newest }),
          )
    ).execute();
  }

  async #applyKind(
    trx: Kysely<Database>,
    batch: BridgeBatch,
    kind: BridgeKind,
    items: readonly BridgeItemInput[],
    at: number,
    changed: BridgeItemRecord[],
  ): Promise<BridgeKindStats> {
    const stats: BridgeKindStats = { inserted: 0, updated: 0, deleted: 0, unchanged: 0 };
    const ts = batch.timestamp;
    const existing = await this.#existing(trx, batch, kind, items);
    const inserts: BridgeItemsTable[] = [];
    const updates: BridgeItemsTable[] = [];
    // Listed unchanged, but by a newer batch: remembered, so an older snapshot cannot delete it.
    const touched: string[] = [];
    for (const [index, item] of items.entries()) {
      if (index > 0 && index % READ_RUN === 0) await this.#yield();
      const row = existing.get(item.itemId);
      const next: BridgeItemsTable = {
        platform: batch.platform,
        account_id: batch.accountId,
        kind,
        item_id: item.itemId,
        raw: item.raw,
        conversation_id: item.conversationId,
        sort_time: row === undefined ? item.createdAt : Number(row.sort_time),
        item_time: ts,
        deleted_at: null,
        synced_at: at,
      };
      if (row === undefined) inserts.push(next);
      else if (ts < Number(row.item_time)) stats.unchanged++;
      else if (row.deleted_at === null && row.raw === item.raw) {
        stats.unchanged++;
        if (ts > Number(row.item_time)) touched.push(item.itemId);
      } else updates.push(next);
    }
    for (const part of chunks(inserts)) {
      await this.#yield();
      if (this.#rows !== undefined) this.#rows.insert(part);
      else await trx.insertInto('bridge_items').values(part).execute();
    }
    for (const part of chunks(updates)) {
      await this.#yield();
      await this.#rewrite(trx, part);
    }
    for (const part of chunks(touched)) {
      await this.#yield();
      await this.#scope(trx, batch, kind, part).set({ item_time: ts }).execute();
    }
    stats.inserted = inserts.length;
    stats.updated = updates.length;
    changed.push(...inserts.map(toItem), ...updates.map(toItem));
    if (batch.mode === 'snapshot') {
      const listed = new Set(items.map((i) => i.itemId));
      const gone = [...existing.values()].filter(
        (row) => !listed.has(row.item_id) && row.deleted_at === null && Number(row.item_time) <= ts,
      );
      for (const part of chunks(gone.map((row) => row.item_id))) {
        await this.#yield();
        await this.#scope(trx, batch, kind, part)
          .set({ deleted_at: at, item_time: ts, synced_at: at })
          .execute();
      }
      stats.deleted = gone.length;
      changed.push(
        ...gone.map((row) => toItem({ ...row, deleted_at: at, item_time: ts, synced_at: at })),
      );
    }
    return stats;
  }

  /**
   * Rewrites rows known to exist, 500 to a statement: an upsert whose conflict branch is the
   * update (row-by-row UPDATEs made a changed 10,000-item snapshot three times slower).
   * sort_time is left as first stored.
   */
  async #rewrite(trx: Kysely<Database>, rows: readonly BridgeItemsTable[]): Promise<void> {
    if (this.#rows !== undefined) {
      this.#rows.rewrite(rows);
      return;
    }
    const insert = trx.insertInto('bridge_items').values(rows);
    if (this.#engine.engine === 'mysql') {
      await insert
        .onDuplicateKeyUpdate({
          raw: sql`values(raw)`,
          conversation_id: sql`values(conversation_id)`,
          item_time: sql`values(item_time)`,
          deleted_at: null,
          synced_at: sql`values(synced_at)`,
        })
        .execute();
      return;
    }
    await insert
      .onConflict((oc) =>
        oc.columns(['platform', 'account_id', 'kind', 'item_id']).doUpdateSet((eb) => ({
          raw: eb.ref('excluded.raw'),
          conversation_id: eb.ref('excluded.conversation_id'),
          item_time: eb.ref('excluded.item_time'),
          deleted_at: null,
          synced_at: eb.ref('excluded.synced_at'),
        })),
      )
      .execute();
  }

  #scope(trx: Kysely<Database>, batch: BridgeBatch, kind: BridgeKind, ids: readonly string[]) {
    return trx
      .updateTable('bridge_items')
      .where('platform', '=', batch.platform)
      .where('account_id', '=', batch.accountId)
      .where('kind', '=', kind)
      .where('item_id', 'in', ids);
  }

  /** The stored rows the batch may change: all of the kind for a snapshot, else those listed. */
  async #existing(
    trx: Kysely<Database>,
    batch: BridgeBatch,
    kind: BridgeKind,
    items: readonly BridgeItemInput[],
  ): Promise<Map<string, Selectable<BridgeItemsTable>>> {
    const base = trx
      .selectFrom('bridge_items')
      .selectAll()
      .where('platform', '=', batch.platform)
      .where('account_id', '=', batch.accountId)
      .where('kind', '=', kind);
    const rows: Selectable<BridgeItemsTable>[] = [];
    if (batch.mode === 'snapshot') {
      // Every stored item of the kind, a run at a time by item id.
      for (let after: string | undefined; ;) {
        await this.#yield();
        const run = await (after === undefined ? base : base.where('item_id', '>', after))
          .orderBy('item_id')
          .limit(READ_RUN)
          .execute();
        rows.push(...run);
        if (run.length < READ_RUN) break;
        after = run[run.length - 1]!.item_id;
      }
    } else {
      for (const part of chunks(items.map((i) => i.itemId))) {
        await this.#yield();
        rows.push(...(await base.where('item_id', 'in', part).execute()));
      }
    }
    return new Map(rows.map((row) => [row.item_id, row]));
  }

  list(query: BridgeItemQuery): Promise<BridgeItemRecord[]> {
    return listItems(this.#read, query);
  }

  find(
    platform: string,
    accountId: string,
    kind: BridgeKind,
    itemId: string,
  ): Promise<BridgeItemRecord | undefined> {
    return findItem(this.#read, platform, accountId, kind, itemId);
  }

  findAccount(platform: string, accountId: string): Promise<BridgeAccountRecord | undefined> {
    return findAccount(this.#read, platform, accountId);
  }

  listAccounts(accountId?: string, page?: BridgeAccountPage): Promise<BridgeAccountRecord[]> {
    return listAccounts(this.#read, accountId, page);
  }

  setAccountOwner(
    platform: string,
    accountId: string,
    tokenId: string,
  ): Promise<SetAccountOwnerResult> {
    return setAccountOwner(this.#db, platform, accountId, tokenId);
  }

  claimAccount(platform: string, accountId: string, tokenId: string, at: number): Promise<string> {
    return claimAccount(this.#db, this.#engine, { platform, accountId, tokenId, at });
  }
}
