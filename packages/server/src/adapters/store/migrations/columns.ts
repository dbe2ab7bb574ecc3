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

interface ReferenceOptions {
  readonly onDelete?: 'cascade';
  readonly unique?: boolean;
}

/**
 * A NOT NULL key column `column` of `table` that references `target` ('table.column').
 * PostgreSQL and SQLite keep the column-level REFERENCES they always had; MySQL parses a
 * column-level REFERENCES and ignores it, so there it is a table constraint. Use with `$call`.
 */
export function keyReference<N extends string>(
  engine: StoreEngine,
  table: string,
  column: N,
  target: `${string}.${string}`,
  options: ReferenceOptions = {},
) {
  return <C extends string>(builder: CreateTableBuilder<string, C>) => {
    if (engine !== 'mysql') {
      return builder.addColumn(column, keyText(engine), (c) => {
        const base = options.unique === true ? c.notNull().unique() : c.notNull();
        const ref = base.references(target);
        return options.onDelete === undefined ? ref : ref.onDelete(options.onDelete);
      });
    }
    const [targetTable, targetColumn] = target.split('.') as [string, string];
    return builder
      .addColumn(column, keyText(engine), (c) =>
        options.unique === true ? c.notNull().unique() : c.notNull(),
      )
      .addForeignKeyConstraint(
        `${table}_${column}_fk`,
        [column],
        targetTable,
        [targetColumn],
        (fk) => (options.onDelete === undefined ? fk : fk.onDelete(options.onDelete)),
      );
  };
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
