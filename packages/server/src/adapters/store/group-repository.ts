import type { Kysely } from 'kysely';
import type { GroupRecord, JoinPolicy } from '../../domain/group.js';
import type {
  GroupPatch,
  GroupRepository,
  JoinRequestRecord,
  JoinRequestStatus,
  NewGroup,
} from '../../ports/group-store.js';
import { KyselyMemberRepository } from './member-repository.js';
import { hasReturning, settlePending, updateReturningAll, type EngineSql } from './engine-sql.js';
import { inTransaction } from './rows.js';
import type { Database, GroupJoinRequestsTable } from './schema.js';

export class KyselyGroupRepository implements GroupRepository {
  readonly #db: Kysely<Database>;
  readonly #engine: EngineSql;

  constructor(db: Kysely<Database>, engine: EngineSql) {
    this.#db = db;
    this.#engine = engine;
  }

  create(group: NewGroup, memberIds: readonly string[], maxMembers: number): Promise<void> {
    return inTransaction(this.#db, async (trx) => {
      await trx
        .insertInto('conversations')
        .values({
          id: group.conversationId,
          type: 'group',
          name: group.name,
          created_at: group.createdAt,
          last_activity_at: group.createdAt,
        })
        .execute();
      await trx
        .insertInto('groups')
        .values({
          id: group.id,
          conversation_id: group.conversationId,
          name: group.name,
          avatar_url: group.avatarUrl,
          notice: group.notice,
          owner_id: group.ownerId,
          join_policy: group.joinPolicy,
          created_at: group.createdAt,
          updated_at: group.createdAt,
        })
        .execute();
      const members = new KyselyMemberRepository(trx, this.#engine);
      await members.add(
        group.conversationId,
        [group.ownerId],
        'owner',
        group.createdAt,
        maxMembers,
      );
      const others = memberIds.filter((id) => id !== group.ownerId);
      if (others.length > 0) {
        await members.add(group.conversationId, others, 'member', group.createdAt, maxMembers);
      }
    });
  }

  async find(groupId: string): Promise<GroupRecord | undefined> {
    const row = await this.#db
      .selectFrom('groups as g')
      .innerJoin('conversations as c', 'c.id', 'g.conversation_id')
      .selectAll('g')
      .select(['c.member_count', 'c.muted_all'])
      .where('g.id', '=', groupId)
      .where('g.dissolved_at', 'is', null)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      id: row.id,
      conversationId: row.conversation_id,
      name: row.name,
      avatarUrl: row.avatar_url,
      notice: row.notice,
      ownerId: row.owner_id,
      joinPolicy: row.join_policy as JoinPolicy,
      mutedAll: Number(row.muted_all) === 1,
      memberCount: Number(row.member_count),
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  }

  async update(groupId: string, patch: GroupPatch, at: number) {
    await inTransaction(this.#db, async (trx) => {
      const [updated] = await updateReturningAll(
        trx,
        this.#engine,
        'groups',
        {
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.avatarUrl !== undefined && { avatar_url: patch.avatarUrl }),
          ...(patch.notice !== undefined && { notice: patch.notice }),
          ...(patch.joinPolicy !== undefined && { join_policy: patch.joinPolicy }),
          updated_at: at,
        },
        (eb) => eb('id', '=', groupId),
      );
      if (updated !== undefined && patch.name !== undefined) {
        await trx
          .updateTable('conversations')
          .set({ name: patch.name })
          .where('id', '=', updated.conversation_id)
          .execute();
      }
    });
    return this.find(groupId);
  }

  transferOwnership(groupId: string, fromUserId: string, toUserId: string, at: number) {
    return inTransaction(this.#db, async (trx) => {
      const [group] = await updateReturningAll(
        trx,
        this.#engine,
        'groups',
        { owner_id: toUserId, updated_at: at },
        (eb) => eb.and([eb('id', '=', groupId), eb('owner_id', '=', fromUserId)]),
      );
      if (group === undefined) throw new Error(`Group ${groupId} is not owned by ${fromUserId}`);
      const members = new KyselyMemberRepository(trx, this.#engine);
      await members.setRole(group.conversation_id, toUserId, 'owner');
      await members.setRole(group.conversation_id, fromUserId, 'admin');
    });
  }

  dissolve(groupId: string, at: number): Promise<boolean> {
    return inTransaction(this.#db, async (trx) => {
      const [group] = await updateReturningAll(
        trx,
        this.#engine,
        'groups',
        { dissolved_at: at, updated_at: at },
        (eb) => eb.and([eb('id', '=', groupId), eb('dissolved_at', 'is', null)]),
      );
      if (group === undefined) return false;
      await trx
        .deleteFrom('conversation_members')
        .where('conversation_id', '=', group.conversation_id)
        .execute();
      await trx
        .updateTable('conversations')
        .set({ member_count: 0 })
        .where('id', '=', group.conversation_id)
        .execute();
      return true;
    });
  }

  async requestToJoin(groupId: string, userId: string, message: string, at: number) {
    const insert = (db: Kysely<Database>) =>
      db.insertInto('group_join_requests').values({
        group_id: groupId,
        user_id: userId,
        message,
        status: 'pending',
        created_at: at,
        updated_at: at,
      });
    const renewed = { message, status: 'pending', updated_at: at };
    if (hasReturning(this.#engine)) {
      const row = await insert(this.#db)
        .onConflict((oc) => oc.columns(['group_id', 'user_id']).doUpdateSet(renewed))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toJoinRequest(row);
    }
    return inTransaction(this.#db, async (trx) => {
      await insert(trx).onDuplicateKeyUpdate(renewed).execute();
      const row = await trx
        .selectFrom('group_join_requests')
        .selectAll()
        .where('group_id', '=', groupId)
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      return toJoinRequest(row);
    });
  }

  async joinRequests(groupId: string) {
    const rows = await this.#db
      .selectFrom('group_join_requests')
      .selectAll()
      .where('group_id', '=', groupId)
      .where('status', '=', 'pending')
      .orderBy('created_at')
      .limit(1_000)
      .execute();
    return rows.map(toJoinRequest);
  }

  async resolveJoinRequest(
    groupId: string,
    userId: string,
    status: 'approved' | 'rejected',
    at: number,
  ) {
    const row = await settlePending(
      this.#db,
      this.#engine,
      'group_join_requests',
      { groupId, userId },
      { status, updated_at: at },
    );
    return row && toJoinRequest(row);
  }
}

const toJoinRequest = (row: GroupJoinRequestsTable): JoinRequestRecord => ({
  groupId: row.group_id,
  userId: row.user_id,
  message: row.message,
  status: row.status as JoinRequestStatus,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});
