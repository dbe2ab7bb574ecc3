import { sql, type Kysely, type Selectable } from 'kysely';
import { appError } from '../../domain/errors.js';
import {
  pairKey,
  type FriendRequestRecord,
  type FriendRequestStatus,
  type FriendshipRecord,
  type SettledStatus,
} from '../../domain/social.js';
import type {
  CreatedRequest,
  FriendRepository,
  Page,
  RequestDirection,
  SettledRequest,
} from '../../ports/social-store.js';
import {
  insertIfAbsent,
  insertSkippingTaken,
  updateReturningAll,
  type EngineSql,
} from './engine-sql.js';
import { inTransaction } from './rows.js';
import type { Database } from './schema.js';
import type { FriendRequestsTable } from './social-schema.js';

/** A pending request found, then settled by someone else before it could be read: retry. */
const CREATE_ATTEMPTS = 5;

export class KyselyFriendRepository implements FriendRepository {
  readonly #db: Kysely<Database>;
  readonly #engine: EngineSql;

  constructor(db: Kysely<Database>, engine: EngineSql) {
    this.#db = db;
    this.#engine = engine;
  }

  async createRequest(request: FriendRequestRecord): Promise<CreatedRequest> {
    const key = pairKey(request.fromUserId, request.toUserId);
    for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
      // The unique partial index on pair_key (pending only) makes this the arbiter: of two
      // concurrent inserts for one pair, in either direction, one stores and one does nothing.
      // (MySQL has no partial index: a generated column holds pair_key while pending.)
      const row = {
        request_id: request.id,
        from_user_id: request.fromUserId,
        to_user_id: request.toUserId,
        message: request.message,
        status: 'pending',
        pair_key: key,
        created_at: request.createdAt,
        updated_at: request.updatedAt,
      };
      const inserted = await insertIfAbsent(
        this.#engine,
        this.#db.insertInto('friend_requests').values(row),
        (oc) => oc.column('pair_key').where(sql.ref('status'), '=', sql.lit('pending')).doNothing(),
      );
      if (inserted) return { request: toFriendRequest(row), created: true };
      const existing = await this.pendingBetween(request.fromUserId, request.toUserId);
      if (existing !== undefined) return { request: existing, created: false };
    }
    throw appError('SERVER_BUSY', 'The friend request could not be stored; try again.');
  }

  async findRequest(requestId: string): Promise<FriendRequestRecord | undefined> {
    const row = await this.#db
      .selectFrom('friend_requests')
      .selectAll()
      .where('request_id', '=', requestId)
      .executeTakeFirst();
    return row && toFriendRequest(row);
  }

  async pendingBetween(userA: string, userB: string): Promise<FriendRequestRecord | undefined> {
    const row = await this.#db
      .selectFrom('friend_requests')
      .selectAll()
      .where('pair_key', '=', pairKey(userA, userB))
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return row && toFriendRequest(row);
  }

  async listPending(
    userId: string,
    direction: RequestDirection,
    page: Page,
  ): Promise<FriendRequestRecord[]> {
    let query = this.#db
      .selectFrom('friend_requests')
      .selectAll()
      .where(direction === 'incoming' ? 'to_user_id' : 'from_user_id', '=', userId)
      .where('status', '=', 'pending');
    if (page.after !== undefined) query = query.where('request_id', '<', page.after);
    const rows = await query.orderBy('request_id', 'desc').limit(page.limit).execute();
    return rows.map(toFriendRequest);
  }

  settleRequest(
    requestId: string,
    status: SettledStatus,
    at: number,
  ): Promise<SettledRequest | undefined> {
    return inTransaction(this.#db, async (trx) => {
      // Conditional: of any number of concurrent callers, one finds the row still pending.
      const [updated] = await updateReturningAll(
        trx,
        this.#engine,
        'friend_requests',
        { status, updated_at: at },
        (eb) => eb.and([eb('request_id', '=', requestId), eb('status', '=', 'pending')]),
      );
      if (updated === undefined) {
        const current = await new KyselyFriendRepository(trx, this.#engine).findRequest(requestId);
        return current && { request: current, changed: false };
      }
      if (status === 'accepted') {
        await insertSkippingTaken(
          this.#engine,
          trx.insertInto('friendships').values([
            { user_id: updated.from_user_id, friend_id: updated.to_user_id, created_at: at },
            { user_id: updated.to_user_id, friend_id: updated.from_user_id, created_at: at },
          ]),
          (oc) => oc.columns(['user_id', 'friend_id']).doNothing(),
          'created_at',
        );
      }
      return { request: toFriendRequest(updated), changed: true };
    });
  }

  async areFriends(userA: string, userB: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('friendships')
      .select('friend_id')
      .where('user_id', '=', userA)
      .where('friend_id', '=', userB)
      .executeTakeFirst();
    return row !== undefined;
  }

  async friendIds(userId: string, limit: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('friendships')
      .select('friend_id')
      .where('user_id', '=', userId)
      .limit(limit)
      .execute();
    return rows.map((r) => r.friend_id);
  }

  async listFriends(userId: string, page: Page): Promise<FriendshipRecord[]> {
    let query = this.#db.selectFrom('friendships').selectAll().where('user_id', '=', userId);
    if (page.after !== undefined) query = query.where('friend_id', '>', page.after);
    const rows = await query.orderBy('friend_id').limit(page.limit).execute();
    return rows.map((r) => ({
      userId: r.user_id,
      friendId: r.friend_id,
      createdAt: Number(r.created_at),
    }));
  }

  async removeFriendship(userA: string, userB: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('friendships')
      .where((eb) =>
        eb.or([
          eb.and([eb('user_id', '=', userA), eb('friend_id', '=', userB)]),
          eb.and([eb('user_id', '=', userB), eb('friend_id', '=', userA)]),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

export const toFriendRequest = (row: Selectable<FriendRequestsTable>): FriendRequestRecord => ({
  id: row.request_id,
  fromUserId: row.from_user_id,
  toUserId: row.to_user_id,
  message: row.message,
  status: row.status as FriendRequestStatus,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});
