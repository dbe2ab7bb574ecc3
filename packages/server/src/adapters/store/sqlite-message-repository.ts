import type { Kysely } from 'kysely';
import type { NewMessage } from '../../domain/message.js';
import type { AppendResult, MessageRepository } from '../../ports/messaging-store.js';
import type { EngineSql } from './engine-sql.js';
import { KyselyMessageRepository } from './message-repository.js';
import type { Database } from './schema.js';
import type { SqliteAppend } from './sqlite-append-batch.js';

/**
 * The message repository on SQLite: kysely for everything but `appendBatch`, the hot write,
 * which runs as one synchronous better-sqlite3 transaction (sqlite-append-batch.ts).
 *
 * Why that cannot interleave with kysely's work on the same connection: kysely's SQLite driver
 * serialises its single connection with a mutex, held from a transaction's `begin` to its
 * `commit` across awaits. The direct write takes that same mutex (`db.connection()`), so it
 * never lands inside another caller's open transaction (where better-sqlite3 would nest it as
 * a savepoint, and that caller's rollback would take back messages already acknowledged).
 * Once it holds the mutex, the transaction runs start to finish without yielding, so nothing
 * else on the event loop sees it half done. Bound to a kysely transaction (`store.transaction`),
 * appendBatch joins that transaction through kysely instead.
 */
export class SqliteMessageRepository extends KyselyMessageRepository implements MessageRepository {
  readonly #db: Kysely<Database>;
  readonly #append: SqliteAppend;

  constructor(db: Kysely<Database>, engine: EngineSql, append: SqliteAppend) {
    super(db, engine);
    this.#db = db;
    this.#append = append;
  }

  override appendBatch(messages: readonly NewMessage[]): Promise<AppendResult[]> {
    if (messages.length === 0) return Promise.resolve([]);
    if (this.#db.isTransaction) return super.appendBatch(messages);
    return this.#db.connection().execute(async () => this.#append(messages));
  }
}
