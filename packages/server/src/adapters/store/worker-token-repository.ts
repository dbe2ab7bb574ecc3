import type { Kysely, Selectable } from 'kysely';
import type { WorkerTokenRecord, WorkerTokenRepository } from '../../ports/bridge-store.js';
import type { WorkerTokensTable } from './bridge-schema.js';
import type { Database } from './schema.js';

const toToken = (row: Selectable<WorkerTokensTable>): WorkerTokenRecord => ({
  id: row.id,
  name: row.name,
  tokenHash: row.token_hash,
  createdAt: Number(row.created_at),
  revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
});

export class KyselyWorkerTokenRepository implements WorkerTokenRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(token: WorkerTokenRecord): Promise<void> {
    await this.#db
      .insertInto('worker_tokens')
      .values({
        id: token.id,
        name: token.name,
        token_hash: token.tokenHash,
        created_at: token.createdAt,
        revoked_at: token.revokedAt,
      })
      .execute();
  }

  async findByHash(tokenHash: string): Promise<WorkerTokenRecord | undefined> {
    const row = await this.#db
      .selectFrom('worker_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row === undefined ? undefined : toToken(row);
  }

  async list(): Promise<WorkerTokenRecord[]> {
    const rows = await this.#db
      .selectFrom('worker_tokens')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toToken);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('worker_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
