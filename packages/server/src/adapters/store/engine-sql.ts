/**
 * Where the engines' SQL differs, in one place. PostgreSQL and SQLite have
 * `INSERT … ON CONFLICT` and `… RETURNING`; MySQL and MariaDB have neither (MariaDB's
 * `INSERT … RETURNING` is not MySQL's), so there the same effect takes a read in the same
 * transaction. On PostgreSQL and SQLite each helper runs the one statement it stands for.
 */
import type {
  Expression,
  ExpressionBuilder,
  InsertQueryBuilder,
  InsertResult,
  Kysely,
  Selectable,
  SqlBool,
  Updateable,
} from 'kysely';
import type { StoreEngine } from '../../ports/store.js';
import { inTransaction } from './rows.js';
import type { Database } from './schema.js';

/** What the repositories need to know about the engine under kysely. */
export interface EngineSql {
  readonly engine: StoreEngine;
  /** The driver's error is a duplicate key (a unique index or the primary key). */
  isUniqueViolation(err: unknown): boolean;
  /**
   * The transaction lost a race with a concurrent one (a duplicate key, a deadlock): it was
   * rolled back, and running it again may succeed.
   */
  isWriteConflict(err: unknown): boolean;
}

/** Whether UPDATE and INSERT can return rows (not on MySQL/MariaDB). */
export const hasReturning = (engine: EngineSql): boolean => engine.engine !== 'mysql';

type Table = keyof Database & string;
type Insert<TB extends Table> = InsertQueryBuilder<Database, TB, InsertResult>;
type OnConflict<TB extends Table> = Parameters<Insert<TB>['onConflict']>[0];
type Where<TB extends Table> = (eb: ExpressionBuilder<Database, TB>) => Expression<SqlBool>;

/**
 * Inserts the row unless its key is taken; true when it was inserted. On MySQL the duplicate
 * key error itself is the answer: it undoes that statement only, not the transaction, and
 * unlike INSERT IGNORE it lets foreign key and data errors through.
 */
export async function insertIfAbsent<TB extends Table>(
  engine: EngineSql,
  query: Insert<TB>,
  onConflict: OnConflict<TB>,
): Promise<boolean> {
  if (engine.engine !== 'mysql') {
    const result = await query.onConflict(onConflict).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }
  try {
    await query.execute();
    return true;
  } catch (err) {
    if (engine.isUniqueViolation(err)) return false;
    throw err;
  }
}

/** Inserts the rows whose key is free and skips the others (MySQL: a no-op update of `column`). */
export async function insertSkippingTaken<TB extends Table>(
  engine: EngineSql,
  query: Insert<TB>,
  onConflict: OnConflict<TB>,
  column: keyof Database[TB] & string,
): Promise<void> {
  if (engine.engine !== 'mysql') {
    await query.onConflict(onConflict).execute();
    return;
  }
  await query.onDuplicateKeyUpdate((eb) => ({ [column]: eb.ref(column) }) as never).execute();
}

/**
 * `UPDATE table SET values WHERE where RETURNING *`. On MySQL, in one transaction: the rows
 * are read and locked (FOR UPDATE), updated by the same condition and returned with the new
 * values. `values` are plain values: the returned rows are built from them.
 */
export async function updateReturningAll<TB extends Table>(
  db: Kysely<Database>,
  engine: EngineSql,
  table: TB,
  values: Updateable<Database[TB]>,
  where: Where<TB>,
): Promise<Selectable<Database[TB]>[]> {
  // kysely's builders cannot follow a table named by a type parameter: loosen them here.
  const loose = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const name: string = table;
  const condition = where as unknown as Where<never>;
  const set = values as Record<string, unknown>;
  if (hasReturning(engine)) {
    const rows = await loose.updateTable(name).set(set).where(condition).returningAll().execute();
    return rows as Selectable<Database[TB]>[];
  }
  return inTransaction(loose, async (trx) => {
    const rows = await trx.selectFrom(name).selectAll().where(condition).forUpdate().execute();
    if (rows.length === 0) return [];
    await trx.updateTable(name).set(set).where(condition).execute();
    return rows.map((row) => ({ ...row, ...values }) as Selectable<Database[TB]>);
  });
}

/** Settles a user's pending row of a group (an invitation, a join request); the row, if any. */
export async function settlePending<TB extends 'group_invitations' | 'group_join_requests'>(
  db: Kysely<Database>,
  engine: EngineSql,
  table: TB,
  key: { readonly groupId: string; readonly userId: string },
  values: Updateable<Database[TB]>,
): Promise<Selectable<Database[TB]> | undefined> {
  // The two tables share these columns; kysely cannot see it through TB.
  const where = ((eb: ExpressionBuilder<Database, 'group_invitations'>) =>
    eb.and([
      eb('group_id', '=', key.groupId),
      eb('user_id', '=', key.userId),
      eb('status', '=', 'pending'),
    ])) as unknown as Where<TB>;
  const [row] = await updateReturningAll(db, engine, table, values, where);
  return row;
}

/**
 * MySQL only: locks the row first, so that a read followed by a write (what one
 * `INSERT … ON CONFLICT … RETURNING` does on the other engines) cannot interleave with another
 * transaction doing the same on that row. Elsewhere it does nothing.
 */
export async function lockForWrite(
  db: Kysely<Database>,
  engine: EngineSql,
  table: 'conversations' | 'groups',
  id: string,
): Promise<void> {
  if (engine.engine !== 'mysql') return;
  await db.selectFrom(table).select('id').where('id', '=', id).forUpdate().execute();
}

/**
 * Adds `by` to a counter of the conversation (setting `also` with it) and returns the new
 * value, undefined when there is no such conversation. The update locks the row until commit,
 * so on MySQL the read that follows sees this transaction's value.
 */
export async function addToConversationCounter(
  db: Kysely<Database>,
  engine: EngineSql,
  conversationId: string,
  column: 'max_seq' | 'max_change_seq',
  by: number,
  also: Updateable<Database['conversations']> = {},
): Promise<number | undefined> {
  const update = db
    .updateTable('conversations')
    .set((eb) => ({ [column]: eb(column, '+', by), ...also }))
    .where('id', '=', conversationId);
  if (hasReturning(engine)) {
    const row = await update.returning(column).executeTakeFirst();
    return row === undefined ? undefined : Number(row[column]);
  }
  const result = await update.executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return undefined;
  const row = await db
    .selectFrom('conversations')
    .select(column)
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return Number(row[column]);
}

/**
 * Locks the conversations' rows until commit, in id order (so that two lockers never wait for
 * each other in a cycle). SQLite locks the whole database for a write anyway.
 */
export async function lockConversations(
  db: Kysely<Database>,
  engine: EngineSql,
  ids: readonly string[],
): Promise<void> {
  if (engine.engine === 'sqlite' || ids.length === 0) return;
  await db
    .selectFrom('conversations')
    .select('id')
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
}

const WRITE_ATTEMPTS = 5;

/**
 * Runs `fn` in a transaction of its own, again (up to 5 attempts in all) when it loses a race
 * with another process's transaction: the lost attempt was rolled back whole, and the next one
 * sees what the winner committed. `attempt` counts from 1. Inside a caller's transaction it
 * runs once, in that transaction (which the error then ends).
 */
export async function withWriteRetry<T>(
  db: Kysely<Database>,
  engine: EngineSql,
  fn: (trx: Kysely<Database>, attempt: number) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db, 1);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute((trx) => fn(trx, attempt));
    } catch (err) {
      if (attempt >= WRITE_ATTEMPTS || !engine.isWriteConflict(err)) throw err;
    }
  }
}
