import type { Kysely, Migration } from 'kysely';
import type { StoreEngine } from '../../../ports/store.js';
import { createTable, keyReference, keyText } from './columns.js';

/**
 * Invitations to groups: under the `friends` group-add policy a user who is not the adder's
 * friend is invited rather than added, and becomes a member only by accepting.
 */
export function groupInvitationsMigration(engine: StoreEngine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createTable(db, engine, 'group_invitations')
        .$call(
          keyReference(engine, 'group_invitations', 'group_id', 'groups.id', {
            onDelete: 'cascade',
          }),
        )
        .$call(
          keyReference(engine, 'group_invitations', 'user_id', 'users.id', { onDelete: 'cascade' }),
        )
        .addColumn('invited_by', 'text', (c) => c.notNull())
        .addColumn('status', keyText(engine), (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('group_invitations_pk', ['group_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('group_invitations_by_user')
        .on('group_invitations')
        .columns(['user_id', 'status', 'updated_at'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('group_invitations').execute();
    },
  };
}
