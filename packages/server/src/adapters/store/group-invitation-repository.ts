import type { Kysely } from 'kysely';
import type {
  GroupInvitationRepository,
  InvitationRecord,
  InvitationResult,
  InvitationStatus,
} from '../../ports/group-store.js';
import { hasReturning, lockForWrite, settlePending, type EngineSql } from './engine-sql.js';
import { inTransaction } from './rows.js';
import type { Database, GroupInvitationsTable } from './schema.js';

const CHUNK = 500;

export class KyselyGroupInvitationRepository implements GroupInvitationRepository {
  readonly #db: Kysely<Database>;
  readonly #engine: EngineSql;

  constructor(db: Kysely<Database>, engine: EngineSql) {
    this.#db = db;
    this.#engine = engine;
  }

  invite(
    group: { readonly id: string; readonly conversationId: string },
    userIds: readonly string[],
    invitedBy: string,
    at: number,
  ): Promise<InvitationResult> {
    return inTransaction(this.#db, async (trx) => {
      const invited: string[] = [];
      const fresh: string[] = [];
      const unique = [...new Set(userIds)];
      await lockForWrite(trx, this.#engine, 'groups', group.id);
      for (let i = 0; i < unique.length; i += CHUNK) {
        const chunk = unique.slice(i, i + CHUNK);
        const members = await trx
          .selectFrom('conversation_members')
          .select('user_id')
          .where('conversation_id', '=', group.conversationId)
          .where('user_id', 'in', chunk)
          .execute();
        const isMember = new Set(members.map((m) => m.user_id));
        const outsiders = chunk.filter((id) => !isMember.has(id));
        if (outsiders.length === 0) continue;
        invited.push(...outsiders);
        fresh.push(...(await this.#inviteOutsiders(trx, group.id, outsiders, invitedBy, at)));
      }
      return { invited, fresh };
    });
  }

  /**
   * A pending invitation stays as it is; one that was accepted (the user has left since) is
   * renewed; a declined one stays declined, so a group cannot ask again and again. Returns the
   * users invited anew or again.
   */
  async #inviteOutsiders(
    trx: Kysely<Database>,
    groupId: string,
    userIds: readonly string[],
    invitedBy: string,
    at: number,
  ): Promise<string[]> {
    const renewed = { status: 'pending', invited_by: invitedBy, updated_at: at };
    const row = (userId: string) => ({
      group_id: groupId,
      user_id: userId,
      created_at: at,
      ...renewed,
    });
    if (hasReturning(this.#engine)) {
      const rows = await trx
        .insertInto('group_invitations')
        .values(userIds.map(row))
        .onConflict((oc) =>
          oc
            .columns(['group_id', 'user_id'])
            .doUpdateSet(renewed)
            .where('group_invitations.status', '=', 'accepted'),
        )
        .returning('user_id')
        .execute();
      return rows.map((r) => r.user_id);
    }
    // MySQL: under the group's lock (taken by `invite`), nobody invites between read and write.
    const known = await trx
      .selectFrom('group_invitations')
      .select(['user_id', 'status'])
      .where('group_id', '=', groupId)
      .where('user_id', 'in', userIds)
      .execute();
    const status = new Map(known.map((k) => [k.user_id, k.status]));
    const fresh = userIds.filter((id) => !status.has(id));
    const again = userIds.filter((id) => status.get(id) === 'accepted');
    if (fresh.length > 0) {
      await trx.insertInto('group_invitations').values(fresh.map(row)).execute();
    }
    if (again.length > 0) {
      await trx
        .updateTable('group_invitations')
        .set(renewed)
        .where('group_id', '=', groupId)
        .where('user_id', 'in', again)
        .execute();
    }
    return userIds.filter((id) => !status.has(id) || status.get(id) === 'accepted');
  }

  async pendingFor(userId: string, limit: number): Promise<InvitationRecord[]> {
    const rows = await this.#db
      .selectFrom('group_invitations as i')
      .innerJoin('groups as g', 'g.id', 'i.group_id')
      .selectAll('i')
      .select('g.name as group_name')
      .where('i.user_id', '=', userId)
      .where('i.status', '=', 'pending')
      .where('g.dissolved_at', 'is', null)
      .orderBy('i.updated_at', 'desc')
      .orderBy('i.group_id')
      .limit(limit)
      .execute();
    return rows.map((row) => toInvitation(row, row.group_name));
  }

  async resolve(groupId: string, userId: string, status: 'accepted' | 'declined', at: number) {
    const row = await settlePending(
      this.#db,
      this.#engine,
      'group_invitations',
      { groupId, userId },
      { status, updated_at: at },
    );
    if (row === undefined) return undefined;
    const group = await this.#db
      .selectFrom('groups')
      .select('name')
      .where('id', '=', groupId)
      .executeTakeFirst();
    return toInvitation(row, group?.name ?? '');
  }
}

const toInvitation = (row: GroupInvitationsTable, groupName: string): InvitationRecord => ({
  groupId: row.group_id,
  groupName,
  userId: row.user_id,
  invitedBy: row.invited_by,
  status: row.status as InvitationStatus,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});
