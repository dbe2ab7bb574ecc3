import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { EngineSql } from './engine-sql.js';
import { KyselyStore } from './kysely-store.js';
import {
  PostgresMessageRepository,
  type OnAppendFallback,
  type PreparedQuery,
} from './postgres-append-batch.js';
import { reportUnavailable, rethrowUnavailable } from './unavailable-dialect.js';
import type { Database } from './schema.js';

const INT8_OID = 20;

export interface PostgresOptions {
  readonly url: string;
  readonly poolSize?: number;
  /** Told when a pooled connection fails outside a query, idle or checked out (it is replaced). */
  readonly onIdleError?: (err: Error) => void;
  /** Told when a message batch is written the slower way (a retried key, a deadlock). */
  readonly onAppendFallback?: OnAppendFallback;
}

/** The cluster store: PostgreSQL through a pg pool. */
export function openPostgresStore(options: PostgresOptions): KyselyStore {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    // Connections stay open once made (pg closes them after 10 s idle by default). A new one is
    // a new server process whose first statements plan and prepare anew: under steady load the
    // pool's spare connections went idle, closed, and were opened again on the next burst,
    // holding that burst's messages for 50-250 ms (the cluster bench's p99 past 10 s of load).
    idleTimeoutMillis: 0,
    // Times are bigint milliseconds, well inside Number's exact range; parse them as numbers
    // for this pool only (pg's global type table stays untouched).
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A client that loses its connection between queries emits 'error'; unheard, that ends the
  // process. The pool hears (and re-emits) its idle clients' errors only, not those of a client
  // checked out (a transaction between two statements): every client gets a listener of its own,
  // which reports both. Either way the pool drops the broken client.
  pool.on('connect', (client) => client.on('error', (err) => options.onIdleError?.(err)));
  pool.on('error', () => {});
  const dialect = reportUnavailable(new PostgresDialect({ pool }), isPostgresUnavailable);
  const db = new Kysely<Database>({ dialect });
  const prepared: PreparedQuery = (name, text, values) =>
    pool
      .query({ name, text, values: values as unknown[] })
      .catch((err: unknown) => rethrowUnavailable(err, isPostgresUnavailable));
  return new KyselyStore(db, POSTGRES_SQL, {
    messages: (trx, engine) =>
      new PostgresMessageRepository(trx, engine, prepared, options.onAppendFallback),
  });
}

/**
 * The server cannot be reached or is going away: a socket error (ECONNREFUSED, ECONNRESET…),
 * SQLSTATE class 08 (connection exception), 57P01–57P03 (shutting down, crashed, starting up),
 * 53300 (too many connections), or pg's own word for a connection that ended under a query.
 */
function isPostgresUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return /^(E[A-Z]+|08...|57P0[123]|53300)$/.test(code);
  return err instanceof Error && /^Connection terminated|not queryable/.test(err.message);
}

const UNIQUE_VIOLATION = '23505';
/** Lost races that roll the transaction back: serialization failure, deadlock detected. */
const RETRYABLE = new Set([UNIQUE_VIOLATION, '40001', '40P01']);

const POSTGRES_SQL: EngineSql = {
  engine: 'postgres',
  isUniqueViolation: (err) => (err as { code?: unknown }).code === UNIQUE_VIOLATION,
  isWriteConflict: (err) => RETRYABLE.has((err as { code?: unknown }).code as string),
};
