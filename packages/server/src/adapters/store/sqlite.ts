import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { setNewest } from '../../domain/bounded-map.js';
import type { EngineSql } from './engine-sql.js';
import { KyselyStore } from './kysely-store.js';
import type { Database } from './schema.js';
import { sqliteAppend } from './sqlite-append-batch.js';
import {
  bridgesOutsideTransactions,
  openSqliteBridgeFile,
  type SqliteBridgeFile,
  type SqliteBridgeFileOptions,
} from './sqlite-bridge-file.js';
import { CHECKPOINT_INTERVAL_MS, startSqliteCheckpointer } from './sqlite-checkpointer.js';
import { SqliteMessageRepository } from './sqlite-message-repository.js';

export const SQLITE_FILE = 'parley.db';

/**
 * The embedded store: one SQLite file in the data dir, in WAL mode with synchronous=NORMAL
 * (a commit survives a crash of the process; the last commits before a power cut may not),
 * and bridge items in a second file beside it (sqlite-bridge-file.ts).
 */
export function openSqliteStore(
  dataDir: string,
  options: SqliteBridgeFileOptions = {},
): KyselyStore {
  mkdirSync(dataDir, { recursive: true });
  const database = new BetterSqlite3(join(dataDir, SQLITE_FILE));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Checkpoints run in a worker thread, as for bridges.db: SQLite's automatic one ran inside the
  // commit that passed 1,000 pages, on the event loop, copying and syncing megabytes.
  database.pragma('wal_autocheckpoint = 0');
  // Before anything else starts: opening it may move bridge data out of parley.db, and fail.
  let bridges: SqliteBridgeFile;
  try {
    bridges = openSqliteBridgeFile(dataDir, SQLITE_FILE, SQLITE_SQL, withStatementCache, options);
  } catch (err) {
    database.close();
    throw err;
  }
  const checkpointer = startSqliteCheckpointer(join(dataDir, SQLITE_FILE), {
    intervalMs: CHECKPOINT_INTERVAL_MS,
  });
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
  });
  const append = sqliteAppend(database);
  return new KyselyStore(db, SQLITE_SQL, {
    messages: (conn, engine) => new SqliteMessageRepository(conn, engine, append),
    // bridges.db cannot join a transaction of parley.db: refused there, explicitly.
    bridgeItems: (conn) => (conn.isTransaction ? bridgesOutsideTransactions : bridges.items),
    close: async () => {
      await bridges.close();
      await checkpointer.close();
    },
  });
}

function isSqliteUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export const SQLITE_SQL: EngineSql = {
  engine: 'sqlite',
  isUniqueViolation: isSqliteUniqueViolation,
  // One connection, and every write transaction holds the database lock: no write races.
  isWriteConflict: () => false,
};

const STATEMENT_CACHE_MAX = 1_000;

/**
 * kysely prepares every query afresh; preparing costs more than running on SQLite. The same
 * SQL text gets the same prepared statement (better-sqlite3 statements are reusable; the
 * driver runs each to completion synchronously, so one is never in use twice at once).
 */
export function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        setNewest(cache, sql, statement, STATEMENT_CACHE_MAX);
      }
      return statement;
    },
  };
}
