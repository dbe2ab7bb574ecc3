/**
 * The column types and table options where MySQL/MariaDB differ; PostgreSQL and SQLite keep
 * exactly the DDL they had.
 */
import { sql, type CreateTableBuilder, type Expression, type Kysely } from 'kysely';
import type { StoreEngine } from '../../../ports/store.js';

/**
 * Text that is a key or indexed (ids, statuses in indexes). MySQL cannot index `text`; 191
 * utf8mb4 characters are 764 bytes, so three of them fit InnoDB's 3,072-byte index key. The
 * binary collation compares and orders bytes, as PostgreSQL's "C" collation does.
 */
export function keyText(engine: StoreEngine): 'text' | Expression<unknown> {
  return engine === 'mysql' ? sql`varchar(191) collate utf8mb4_bin` : 'text';
}

/** Message content: MySQL's `text` stops at 64 KiB. */
export function contentText(engine: StoreEngine): 'text' | Expression<unknown> {
  return engine === 'mysql' ? sql`mediumtext` : 'text';
}

/** A text column's default: MySQL takes one only as an expression. */
export function textDefault(engine: StoreEngine, value: string): string | Expression<unknown> {
  return engine === 'mysql' ? sql`(${sql.lit(value)})` : value;
}

/**
 * CREATE TABLE; on MySQL an InnoDB table in utf8mb4 with the binary collation, whatever the
 * server's and the database's defaults are (latin1 on a server left at its compiled defaults).
 */
export function createTable(
  db: Kysely<unknown>,
  engine: StoreEngine,
  name: string,
): CreateTableBuilder<string, never> {
  const table = db.schema.createTable(name);
  return engine === 'mysql'
    ? table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`)
    : table;
}

/** DROP INDEX; MySQL names the table too. */
export async function dropIndex(
  db: Kysely<unknown>,
  engine: StoreEngine,
  name: string,
  table: string,
): Promise<void> {
  const drop = db.schema.dropIndex(name);
  await (engine === 'mysql' ? drop.on(table) : drop).execute();
}
