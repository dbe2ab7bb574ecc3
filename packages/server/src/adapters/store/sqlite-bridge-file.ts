import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { KyselyBridgeItemRepository, type BridgeRowWriter } from './bridge-repository.js';
import type { BridgeItemRepository } from '../../ports/bridge-store.js';
import type { EngineSql } from './engine-sql.js';
import type { Database } from './schema.js';
import { moveBridgeDataFromMainFile, type BridgeDataMoved } from './sqlite-bridge-move.js';
import { sqliteBridgeRows } from './sqlite-bridge-rows.js';
import { CHECKPOINT_INTERVAL_MS, startSqliteCheckpointer } from './sqlite-checkpointer.js';

/** Where the embedded store keeps bridge items: beside parley.db, a database of its own. */
export const SQLITE_BRIDGE_FILE = 'bridges.db';

/** The tables of migration 0009 that hold items and accounts, as they are in parley.db. */
const SCHEMA = `
create table if not exists bridge_accounts (
  platform text not null, account_id text not null, last_sync_at bigint not null,
  last_timestamp bigint not null, owner_token_id text,
  constraint bridge_accounts_pk primary key (platform, account_id));
create table if not exists bridge_items (
  platform text not null, account_id text not null, kind text not null, item_id text not null,
  raw text not null, conversation_id text, sort_time bigint not null, item_time bigint not null,
  deleted_at bigint, synced_at bigint not null,
  constraint bridge_items_pk primary key (platform, account_id, kind, item_id));
create index if not exists bridge_items_page
  on bridge_items (account_id, kind, sort_time, platform, item_id);
create index if not exists bridge_items_by_conversation
  on bridge_items (account_id, conversation_id, sort_time);
`;

const refuse = async (): Promise<never> => {
  throw new Error(
    'On SQLite, bridge items live in bridges.db: they cannot be part of a Store transaction.',
  );
};

/** `bridgeItems` inside `store.transaction` on SQLite: every call fails, nothing is written. */
export const bridgesOutsideTransactions: BridgeItemRepository = {
  apply: refuse,
  list: refuse,
  find: refuse,
  findAccount: refuse,
  claimAccount: refuse,
  listAccounts: refuse,
  setAccountOwner: refuse,
};

export interface SqliteBridgeFile {
  readonly items: KyselyBridgeItemRepository;
  close(): Promise<void>;
}

export interface SqliteBridgeFileOptions {
  /** Told once, at open, when bridge data an older Parley kept in parley.db was moved here. */
  readonly onBridgeDataMoved?: (moved: BridgeDataMoved) => void;
}

/**
 * Bridge items on SQLite live in `bridges.db`, written through a connection of their own: SQLite
 * locks a whole file for a write transaction, so a 10,000-item snapshot (one transaction, which
 * yields the event loop between its statements) never makes a chat message wait for the lock of
 * parley.db. Reads go through a third connection and never wait for a batch (WAL). The writer
 * attaches parley.db to see which worker tokens are revoked (ownership); it writes there only
 * at open, to empty the bridge tables an older Parley filled (sqlite-bridge-move.ts). A failed
 * move fails the open, everything left in parley.db.
 */
export function openSqliteBridgeFile(
  dataDir: string,
  mainFile: string,
  engine: EngineSql,
  withCache: (database: BetterSqlite3.Database) => SqliteDatabase,
  options: SqliteBridgeFileOptions = {},
): SqliteBridgeFile {
  const path = join(dataDir, SQLITE_BRIDGE_FILE);
  const { write, rows, connection } = openWriter(dataDir, mainFile, withCache);
  let moved: BridgeDataMoved | undefined;
  try {
    moved = moveBridgeDataFromMainFile(connection);
  } catch (err) {
    connection.close();
    throw err;
  }
  if (moved !== undefined) options.onBridgeDataMoved?.(moved);
  const reader = new BetterSqlite3(path, { readonly: true });
  reader.pragma('busy_timeout = 5000');
  const read = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withCache(reader) }),
  });
  const checkpointer = startSqliteCheckpointer(path, { intervalMs: CHECKPOINT_INTERVAL_MS });
  return {
    items: new KyselyBridgeItemRepository(write, engine, {
      readDb: read,
      yieldBetweenStatements: true,
      rows,
    }),
    async close() {
      await write.destroy();
      await read.destroy();
      await checkpointer.close();
    },
  };
}

/**
 * A writer of bridges.db alone, for the ingest thread (main/bridge-ingest-thread.ts): it has
 * nothing else to do, so its batches never yield between statements. Beside it, the store's
 * own writer may still write (SQLite takes turns, within busy_timeout).
 */
export function openSqliteBridgeWriter(
  dataDir: string,
  mainFile: string,
  engine: EngineSql,
  withCache: (database: BetterSqlite3.Database) => SqliteDatabase,
): SqliteBridgeFile {
  const { write, rows } = openWriter(dataDir, mainFile, withCache);
  return {
    items: new KyselyBridgeItemRepository(write, engine, { rows }),
    close: () => write.destroy(),
  };
}

/** The writing connection, as kysely, as the prepared item-row statements on it, and bare. */
function openWriter(
  dataDir: string,
  mainFile: string,
  withCache: (database: BetterSqlite3.Database) => SqliteDatabase,
): { write: Kysely<Database>; rows: BridgeRowWriter; connection: BetterSqlite3.Database } {
  const writer = new BetterSqlite3(join(dataDir, SQLITE_BRIDGE_FILE));
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = NORMAL');
  writer.pragma('busy_timeout = 5000');
  // Checkpoints run in a worker thread (sqlite-checkpointer.ts), never inside a commit here.
  writer.pragma('wal_autocheckpoint = 0');
  writer.exec(SCHEMA);
  writer.prepare('attach database ? as parley').run(join(dataDir, mainFile));
  return {
    write: new Kysely<Database>({ dialect: new SqliteDialect({ database: withCache(writer) }) }),
    rows: sqliteBridgeRows(writer),
    connection: writer,
  };
}
