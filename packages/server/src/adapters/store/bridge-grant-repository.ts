import type { Kysely } from 'kysely';
import type { BridgeGrantRepository } from '../../ports/bridge-store.js';
import { insertIfAbsent, type EngineSql } from './engine-sql.js';
import type { Database } from './schema.js';

export class KyselyBridgeGrantRepository implements BridgeGrantRepository {
  readonly #db: Kysely<Database>;
  readonly #engine: EngineSql;

  constructor(db: Kysely<Database>, engine: EngineSql) {
    this.#db = db;
    this.#engine = engine;
  }

  grant(accountId: string, userId: string, at: number): Promise<boolean> {
    return insertIfAbsent(
      this.#engine,
      this.#db
        .insertInto('bridge_grants')
        .values({ account_id: accountId, user_id: userId, granted_at: at }),
      (oc) => oc.columns(['account_id', 'user_id']).doNothing(),
    );
  }

  async revoke(accountId: string, userId: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('bridge_grants')
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async isGranted(accountId: string, userId: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('bridge_grants')
      .select('user_id')
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }
}
