import type { Kysely } from 'kysely';
import type {
  GroupInvitationRepository,
  InvitationRecord,
  InvitationResult,
  InvitationStatus,
} from '../../ports/group-store.js';
import { inTransaction } from './rows.js';
import type { Database, GroupInvitationsTable } from './schema.js';

const CHUNK = 500;

export class KyselyGroupInvitationRepository implements GroupInvitationRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
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
        // A pending invitation stays as it is; one that was accepted (the user has left since)
        // is renewed; a declined one stays declined, so a group cannot ask again and again.
        const rows = await trx
          .insertInto('group_invitations')
          .values(
            outsiders.map((userId) => ({
              group_id: group.id,
              user_id: userId,
              invited_by: invitedBy,
              status: 'pending',
              created_at: at,
              updated_at: at,
            })),
          )
          .onConflict((oc) =>
            oc
              .columns(['group_id', 'user_id'])
              .doUpdateSet({ status: 'pending', invited_by: invitedBy, updated_at: at })
              .where('group_invitations.status', '=', 'accepted'),
          )
          .returning('user_id')
          .execute();
        fresh.push(...rows.map((r) => r.user_id));
      }
      return { invited, fresh };
    });
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
    const row = await this.#db
      .updateTable('group_invitations')
      .set({ status, updated_at: at })
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
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
