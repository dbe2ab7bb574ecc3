/**
 * Item rows written to bridges.db through two prepared statements, run on the connection the
 * batch's transaction is open on. Built by kysely, a 500-row chunk was a tree of 5,000 value
 * nodes, a SQL text of 5,000 parameters parsed anew each time, and their garbage: in the
 * ingest thread, a fifth of its time went to young-generation collections.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { BridgeRowWriter } from './bridge-repository.js';
import type { BridgeItemsTable } from './bridge-schema.js';

const COLUMNS =
  'platform, account_id, kind, item_id, raw, conversation_id, sort_time, item_time, ' +
  'deleted_at, synced_at';
const INSERT = `INSERT INTO bridge_items (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const REWRITE =
  `${INSERT} ON CONFLICT (platform, account_id, kind, item_id) DO UPDATE SET ` +
  'raw = excluded.raw, conversation_id = excluded.conversation_id, ' +
  'item_time = excluded.item_time, deleted_at = NULL, synced_at = excluded.synced_at';

export function sqliteBridgeRows(db: BetterSqlite3.Database): BridgeRowWriter {
  const insert = db.prepare(INSERT);
  const rewrite = db.prepare(REWRITE);
  const run = (statement: BetterSqlite3.Statement, rows: readonly BridgeItemsTable[]) => {
    for (const r of rows) {
      statement.run(
        r.platform,
        r.account_id,
        r.kind,
        r.item_id,
        r.raw,
        r.conversation_id,
        r.sort_time,
        r.item_time,
        r.deleted_at,
        r.synced_at,
      );
    }
  };
  return {
    insert: (rows) => run(insert, rows),
    rewrite: (rows) => run(rewrite, rows),
  };
}
