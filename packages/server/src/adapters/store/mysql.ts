import { CompiledQuery, Kysely, MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
import type { EngineSql } from './engine-sql.js';
import { KyselyStore } from './kysely-store.js';
import { reportUnavailable } from './unavailable-dialect.js';
import type { Database } from './schema.js';

export interface MysqlOptions {
  /** `mysql://user:pass@host:3306/db` (or `mariadb://…`); the database must exist. */
  readonly url: string;
  readonly poolSize?: number;
  /** Told when a pooled connection fails while idle (the pool replaces it). */
  readonly onIdleError?: (err: Error) => void;
}

/**
 * The store on MySQL or MariaDB through a mysql2 pool. Each connection reads committed data
 * (READ COMMITTED, as PostgreSQL does by default): a statement sees what other transactions
 * committed before it, and InnoDB takes no gap locks, so concurrent appends do not deadlock
 * on index gaps.
 */
export function openMysqlStore(options: MysqlOptions): KyselyStore {
  const pool = createPool({
    uri: mysqlUri(options.url),
    connectionLimit: options.poolSize ?? 10,
    // utf8mb4 on the wire, compared in byte order like the tables' keys.
    charset: 'UTF8MB4_BIN',
    // Times are bigint milliseconds: numbers while they fit exactly (they always do).
    supportBigNumbers: true,
    bigNumberStrings: false,
    // Integer flags and counters stay numbers; nothing here is a DATE or a DECIMAL.
    decimalNumbers: true,
  });
  // A connection that fails while idle emits here; unheard, a second error would end the process.
  pool.on('connection', (connection) => {
    connection.on('error', (err) => options.onIdleError?.(err));
  });
  const dialect = new MysqlDialect({
    pool,
    onCreateConnection: async (connection) => {
      await connection.executeQuery(
        CompiledQuery.raw('set session transaction isolation level read committed'),
      );
    },
  });
  const db = new Kysely<Database>({ dialect: reportUnavailable(dialect, isMysqlUnavailable) });
  return new KyselyStore(db, MYSQL_SQL);
}

/** mysql2 reads `mysql://` URLs; MariaDB's own scheme means the same here. */
function mysqlUri(url: string): string {
  return url.replace(/^mariadb:\/\//, 'mysql://');
}

/**
 * The server cannot be reached or went away: a socket error (ECONNREFUSED, ECONNRESET…),
 * mysql2's PROTOCOL_CONNECTION_LOST, or the server's own 1040 (too many connections),
 * 1053 (shutting down), 2002/2003/2006/2013 (cannot connect, gone away, lost).
 */
function isMysqlUnavailable(err: unknown): boolean {
  const { code, errno: n } = (err ?? {}) as { code?: unknown; errno?: unknown };
  if (typeof code === 'string' && /^(E[A-Z]+|PROTOCOL_CONNECTION_LOST)$/.test(code)) return true;
  return typeof n === 'number' && [1040, 1053, 2002, 2003, 2006, 2013].includes(n);
}

const ER_DUP_ENTRY = 1062;
const ER_LOCK_DEADLOCK = 1213;

const errno = (err: unknown) => (err as { errno?: unknown }).errno;

const MYSQL_SQL: EngineSql = {
  engine: 'mysql',
  isUniqueViolation: (err) => errno(err) === ER_DUP_ENTRY,
  // A deadlock rolls the whole transaction back; a duplicate key only its statement, and the
  // retry then starts a new transaction.
  isWriteConflict: (err) => errno(err) === ER_DUP_ENTRY || errno(err) === ER_LOCK_DEADLOCK,
};
