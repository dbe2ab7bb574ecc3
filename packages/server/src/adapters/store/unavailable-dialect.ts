/**
 * A database that does not answer (connections refused or lost, a server shutting down or
 * starting up) is an outage, not a bug: callers get UNAVAILABLE, which clients retry, rather
 * than INTERNAL, which they must not. This wraps a kysely dialect so that every query and
 * every connection taken from the pool reports it so; other errors (constraint violations,
 * lost races) pass unchanged, as the repositories read their codes.
 */
import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { appError } from '../../domain/errors.js';

/** Whether the driver's error means the database cannot be reached or is going away. */
export type IsUnavailable = (err: unknown) => boolean;

export function reportUnavailable(dialect: Dialect, isUnavailable: IsUnavailable): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => new UnavailableDriver(dialect.createDriver(), isUnavailable),
  };
}

type CompileQuery = QueryCompiler['compileQuery'];

class UnavailableDriver implements Driver {
  /** Our wrapper → the driver's own connection, which it needs back on release. */
  readonly #own = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly isUnavailable: IsUnavailable,
  ) {}

  #translate = (err: unknown): never => rethrowUnavailable(err, this.isUnavailable);

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const own = await this.inner.acquireConnection().catch(this.#translate);
    const wrapper: DatabaseConnection = {
      executeQuery: <R>(query: CompiledQuery): Promise<QueryResult<R>> =>
        own.executeQuery<R>(query).catch(this.#translate),
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number) =>
        own.streamQuery<R>(query, chunkSize),
    };
    this.#own.set(wrapper, own);
    return wrapper;
  }

  // The driver runs its transaction statements through the wrapper's executeQuery.
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: CompileQuery) {
    if (this.inner.savepoint === undefined) throw unsupported('savepoint');
    await this.inner.savepoint(connection, name, compile);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: CompileQuery) {
    if (this.inner.rollbackToSavepoint === undefined) throw unsupported('rollbackToSavepoint');
    await this.inner.rollbackToSavepoint(connection, name, compile);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: CompileQuery) {
    if (this.inner.releaseSavepoint === undefined) throw unsupported('releaseSavepoint');
    await this.inner.releaseSavepoint(connection, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(this.#own.get(connection) ?? connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** Throws the error, as UNAVAILABLE when it means the database cannot be reached. */
export function rethrowUnavailable(err: unknown, isUnavailable: IsUnavailable): never {
  if (!isUnavailable(err)) throw err;
  const message = 'The database does not answer; try again shortly.';
  throw appError('ENGINE_UNAVAILABLE', message, {}, { cause: err });
}

/** kysely's own words for a driver without savepoints. */
function unsupported(method: string): Error {
  return new Error(`The \`${method}\` method is not supported by this driver`);
}
