/**
 * Bridge accounts and items that a Parley older than bridges.db kept in parley.db (migration
 * 0009 created the tables there, and still does on SQLite, where they now stay empty). Without
 * this move an upgraded data directory would show none of its bridged data.
 */
import type BetterSqlite3 from 'better-sqlite3';

/** What a move did: rows copied into bridges.db, and rows dropped because it had them already. */
export interface BridgeDataMoved {
  readonly accounts: number;
  readonly items: number;
  /** Rows of parley.db whose key bridges.db already held: its copy, written later, was kept. */
  readonly superseded: number;
}

// Named column by column: the two files' tables need not list them in the same order.
const ACCOUNT_COLUMNS = 'platform, account_id, last_sync_at, last_timestamp, owner_token_id';
const ITEM_COLUMNS =
  'platform, account_id, kind, item_id, raw, conversation_id, sort_time, item_time, ' +
  'deleted_at, synced_at';

// `where true`: SQLite needs it to read the upsert clause of an INSERT … SELECT unambiguously.
// `do nothing` on the primary key only: any other constraint failing aborts the whole move.
const MOVE_ACCOUNTS =
  `insert into main.bridge_accounts (${ACCOUNT_COLUMNS}) ` +
  `select ${ACCOUNT_COLUMNS} from parley.bridge_accounts where true ` +
  'on conflict (platform, account_id) do nothing';
const MOVE_ITEMS =
  `insert into main.bridge_items (${ITEM_COLUMNS}) ` +
  `select ${ITEM_COLUMNS} from parley.bridge_items where true ` +
  'on conflict (platform, account_id, kind, item_id) do nothing';

const PENDING =
  'select exists (select 1 from parley.bridge_accounts) ' +
  'or exists (select 1 from parley.bridge_items)';

/**
 * Moves what parley.db's bridge tables hold into bridges.db, on the bridges.db writer (which has
 * parley.db attached as `parley`), and empties them; returns undefined when there was nothing to
 * move, which every start but the first after an upgrade finds with one query.
 *
 * One transaction over both files: a failure anywhere rolls all of it back, leaving everything
 * in parley.db, and the next open tries again. Both files are in WAL mode, where SQLite commits
 * such a transaction file by file, bridges.db (the connection's main database) first: a crash
 * between the two commits leaves the rows in both files, and the next open, finding bridges.db
 * holding them all already, only empties parley.db.
 */
export function moveBridgeDataFromMainFile(
  writer: BetterSqlite3.Database,
): BridgeDataMoved | undefined {
  if (!hasPendingRows(writer)) return undefined;
  const move = writer.transaction((): BridgeDataMoved => {
    const accounts = writer.prepare(MOVE_ACCOUNTS).run().changes;
    const items = writer.prepare(MOVE_ITEMS).run().changes;
    const emptied =
      writer.prepare('delete from parley.bridge_items').run().changes +
      writer.prepare('delete from parley.bridge_accounts').run().changes;
    return { accounts, items, superseded: emptied - accounts - items };
  });
  try {
    // Immediate: the write locks of both files are taken before the first row is read.
    return move.immediate();
  } catch (err) {
    throw new Error(
      'Moving bridge accounts and items from parley.db to bridges.db failed; parley.db still holds them',
      { cause: err },
    );
  }
}

function hasPendingRows(writer: BetterSqlite3.Database): boolean {
  let pending: BetterSqlite3.Statement;
  try {
    pending = writer.prepare(PENDING).pluck();
  } catch (err) {
    // A new data directory: the store opens before migration 0009 has created the tables.
    if (isMissingBridgeTable(err)) return false;
    throw err;
  }
  return pending.get() === 1;
}

function isMissingBridgeTable(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return /^no such table: parley\.bridge_(accounts|items)$/.test(message);
}
