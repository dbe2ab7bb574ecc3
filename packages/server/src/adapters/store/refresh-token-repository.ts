import type { Kysely } from 'kysely';
import type { RefreshTokenRecord, RefreshTokenRepository } from '../../ports/store.js';
import type { Database } from './schema.js';

export class KyselyRefreshTokenRepository implements RefreshTokenRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(token: RefreshTokenRecord): Promise<void> {
    await this.#db
      .insertInto('refresh_tokens')
      .values({
        token_hash: token.tokenHash,
        session_id: token.sessionId,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        used_at: token.usedAt,
      })
      .execute();
  }

  async find(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.#db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      tokenHash: row.token_hash,
      sessionId: row.session_id,
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
      usedAt: row.used_at === null ? null : Number(row.used_at),
    };
  }

  async markUsed(tokenHash: string, at: number): Promise<boolean> {
    // The conditional update is the arbiter: of concurrent callers, one changes the row.
    const result = await this.#db
      .updateTable('refresh_tokens')
      .set({ used_at: at })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteExpired(before: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('refresh_tokens')
      .where('expires_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
