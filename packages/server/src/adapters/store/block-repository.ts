import type { Kysely } from 'kysely';
import { pairKey, type BlockRecord } from '../../domain/social.js';
import type { BlockRepository, BlockResult, Page } from '../../ports/social-store.js';
import { toFriendRequest } from './friend-repository.js';
import { insertIfAbsent, updateReturningAll, type EngineSql } from './engine-sql.js';
import { inTransaction } from './rows.js';
import type { Database } from './schema.js';

export class KyselyBlockRepository implements BlockRepository {
  readonly #db: Kysely<Database>;
  readonly #engine: EngineSql;

  constructor(db: Kysely<Database>, engine: EngineSql) {
    this.#db = db;
    this.#engine = engine;
  }

  block(blockerId: string, blockedId: string, at: number): Promise<BlockResult> {
    return inTransaction(this.#db, async (trx) => {
      const created = await insertIfAbsent(
        this.#engine,
        trx
          .insertInto('blocks')
          .values({ blocker_id: blockerId, blocked_id: blockedId, created_at: at }),
        (oc) => oc.columns(['blocker_id', 'blocked_id']).doNothing(),
      );
      const canceled = await updateReturningAll(
        trx,
        this.#engine,
        'friend_requests',
        { status: 'canceled', updated_at: at },
        (eb) =>
          eb.and([
            eb('pair_key', '=', pairKey(blockerId, blockedId)),
            eb('status', '=', 'pending'),
          ]),
      );
      return {
        created,
        canceled: canceled.map(toFriendRequest),
      };
    });
  }

  async unblock(blockerId: string, blockedId: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('blocks')
      .where('blocker_id', '=', blockerId)
      .where('blocked_id', '=', blockedId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async isBlocked(blockerId: string, blockedId: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('blocks')
      .select('blocked_id')
      .where('blocker_id', '=', blockerId)
      .where('blocked_id', '=', blockedId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async blockerIds(blockedId: string, limit: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('blocks')
      .select('blocker_id')
      .where('blocked_id', '=', blockedId)
      .limit(limit)
      .execute();
    return rows.map((r) => r.blocker_id);
  }

  async listBlocked(blockerId: string, page: Page): Promise<BlockRecord[]> {
    let query = this.#db.selectFrom('blocks').selectAll().where('blocker_id', '=', blockerId);
    if (page.after !== undefined) query = query.where('blocked_id', '>', page.after);
    const rows = await query.orderBy('blocked_id').limit(page.limit).execute();
    return rows.map((r) => ({
      blockerId: r.blocker_id,
      blockedId: r.blocked_id,
      createdAt: Number(r.created_at),
    }));
  }
}
