import type { Kysely, Migration } from 'kysely';

/**
 * Groups: the group record, member roles and mutes (on conversation_members, so that world
 * conversations share them), mute-all on the conversation, and join requests.
 */
export function groupsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('conversation_id', 'text', (c) =>
          c.notNull().unique().references('conversations.id'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('avatar_url', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('notice', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('join_policy', 'text', (c) => c.notNull().defaultTo('open'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('dissolved_at', 'bigint')
        .execute();

      await db.schema
        .alterTable('conversation_members')
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('member'))
        .execute();
      await db.schema
        .alterTable('conversation_members')
        .addColumn('muted_until', 'bigint')
        .execute();
      await db.schema
        .alterTable('conversations')
        .addColumn('muted_all', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .createTable('group_join_requests')
        .addColumn('group_id', 'text', (c) =>
          c.notNull().references('groups.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('group_join_requests_pk', ['group_id', 'user_id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('group_join_requests').execute();
      await db.schema.dropTable('groups').execute();
    },
  };
}
