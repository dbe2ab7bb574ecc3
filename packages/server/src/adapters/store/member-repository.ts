import type { Kysely, Selectable } from 'kysely';
import { appError } from '../../domain/errors.js';
import type { MemberRecord, Role } from '../../domain/group.js';
import type { MemberRepository, PostingState } from '../../ports/group-store.js';
import { hasReturning, lockForWrite, type EngineSql } from './engine-sql.js';
import { inTransaction } from './rows.js';
import type { ConversationMembersTable, Database } from './schema.js';

const CHUNK = 500;

export const toMember = (row: Selectable<ConversationMembersTable>): MemberRecord => ({
  userId: row.user_id,
  role: row.role as Role,
  joinedAt: Number(row.joined_at),
  mutedUntil: row.muted_until === null ? null : Number(row.muted_until),
});

export class KyselyMemberRepository implements MemberRepository {
  readonly #db: Kysely<Database>;
  readonly #engine: EngineSql;

  constructor(db: Kysely<Database>, engine: EngineSql) {
    this.#db = db;
    this.#engine = engine;
  }

  async get(conversationId: string, userId: string) {
    const row = await this.#db
      .selectFrom('conversation_members')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && toMember(row);
  }

  async page(conversationId: string, afterUserId: string | undefined, limit: number) {
    let query = this.#db
      .selectFrom('conversation_members')
      .selectAll()
      .where('conversation_id', '=', conversationId);
    if (afterUserId !== undefined) query = query.where('user_id', '>', afterUserId);
    const rows = await query.orderBy('user_id').limit(limit).execute();
    return rows.map(toMember);
  }

  add(
    conversationId: string,
    userIds: readonly string[],
    role: Role,
    at: number,
    maxMembers: number,
  ) {
    return inTransaction(this.#db, async (trx) => {
      const added: string[] = [];
      const unique = [...new Set(userIds)];
      await lockForWrite(trx, this.#engine, 'conversations', conversationId);
      for (let i = 0; i < unique.length; i += CHUNK) {
        const chunk = unique.slice(i, i + CHUNK);
        added.push(...(await this.#insertNew(trx, conversationId, chunk, role, at)));
      }
      if (added.length === 0) return added;
      // The count moves in the same transaction, and only within the bound.
      const counted = await trx
        .updateTable('conversations')
        .set((eb) => ({ member_count: eb('member_count', '+', added.length) }))
        .where('id', '=', conversationId)
        .where('member_count', '<=', maxMembers - added.length)
        .executeTakeFirst();
      if (Number(counted.numUpdatedRows) === 0) {
        throw appError('CONVERSATION_FULL', `This conversation is full (${maxMembers} members).`);
      }
      return added;
    });
  }

  /** Inserts the users who are not members yet; returns them. */
  async #insertNew(
    trx: Kysely<Database>,
    conversationId: string,
    userIds: readonly string[],
    role: Role,
    at: number,
  ): Promise<string[]> {
    const row = (userId: string) => ({
      conversation_id: conversationId,
      user_id: userId,
      joined_at: at,
      role,
    });
    if (hasReturning(this.#engine)) {
      const rows = await trx
        .insertInto('conversation_members')
        .values(userIds.map(row))
        .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
        .returning('user_id')
        .execute();
      return rows.map((r) => r.user_id);
    }
    // MySQL: under the conversation's lock (taken by `add`), no one else adds members
    // between this read and the insert.
    const members = await trx
      .selectFrom('conversation_members')
      .select('user_id')
      .where('conversation_id', '=', conversationId)
      .where('user_id', 'in', userIds)
      .execute();
    const isMember = new Set(members.map((m) => m.user_id));
    const fresh = userIds.filter((id) => !isMember.has(id));
    if (fresh.length > 0) {
      await trx.insertInto('conversation_members').values(fresh.map(row)).execute();
    }
    return fresh;
  }

  remove(conversationId: string, userId: string): Promise<boolean> {
    return inTransaction(this.#db, async (trx) => {
      const deleted = await trx
        .deleteFrom('conversation_members')
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) return false;
      await trx
        .updateTable('conversations')
        .set((eb) => ({ member_count: eb('member_count', '-', 1) }))
        .where('id', '=', conversationId)
        .execute();
      return true;
    });
  }

  async setRole(conversationId: string, userId: string, role: Role) {
    const result = await this.#db
      .updateTable('conversation_members')
      .set({ role })
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setMutedUntil(conversationId: string, userId: string, until: number | null) {
    const result = await this.#db
      .updateTable('conversation_members')
      .set({ muted_until: until })
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setMutedAll(conversationId: string, mutedAll: boolean) {
    await this.#db
      .updateTable('conversations')
      .set({ muted_all: mutedAll ? 1 : 0 })
      .where('id', '=', conversationId)
      .execute();
  }

  async posting(conversationId: string, userId: string): Promise<PostingState | undefined> {
    const row = await this.#db
      .selectFrom('conversation_members as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .select(['m.role', 'm.muted_until', 'c.muted_all'])
      .where('m.conversation_id', '=', conversationId)
      .where('m.user_id', '=', userId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      role: row.role as Role,
      mutedUntil: row.muted_until === null ? null : Number(row.muted_until),
      mutedAll: Number(row.muted_all) === 1,
    };
  }

  async managers(conversationId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('conversation_members')
      .select('user_id')
      .where('conversation_id', '=', conversationId)
      .where('role', 'in', ['owner', 'admin'])
      .execute();
    return rows.map((r) => r.user_id);
  }
}
