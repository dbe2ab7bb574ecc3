import type { Kysely, Migration } from 'kysely';
import type { StoreEngine } from '../../../ports/store.js';
import { createTable, keyReference, keyText, textDefault } from './columns.js';

/**
 * Groups: the group record, member roles and mutes (on conversation_members, so that world
 * conversations share them), mute-all on the conversation, and join requests.
 */
export function groupsMigration(engine: StoreEngine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createTable(db, engine, 'groups')
        .addColumn('id', keyText(engine), (c) => c.primaryKey())
        .$call(
          keyReference(engine, 'groups', 'conversation_id', 'conversations.id', { unique: true }),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('avatar_url', 'text', (c) => c.notNull().defaultTo(textDefault(engine, '')))
        .addColumn('notice', 'text', (c) => c.notNull().defaultTo(textDefault(engine, '')))
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('join_policy', 'text', (c) => c.notNull().defaultTo(textDefault(engine, 'open')))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('dissolved_at', 'bigint')
        .execute();

      await db.schema
        .alterTable('conversation_members')
        .addColumn('role', 'text', (c) => c.notNull().defaultTo(textDefault(engine, 'member')))
        .execute();
      await db.schema
        .alterTable('conversation_members')
        .addColumn('muted_until', 'bigint')
        .execute();
      await db.schema
        .alterTable('conversations')
        .addColumn('muted_all', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await createTable(db, engine, 'group_join_requests')
        .$call(
          keyReference(engine, 'group_join_requests', 'group_id', 'groups.id', {
            onDelete: 'cascade',
          }),
        )
        .$call(
          keyReference(engine, 'group_join_requests', 'user_id', 'users.id', {
            onDelete: 'cascade',
          }),
        )
        .addColumn('message', 'text', (c) => c.notNull().defaultTo(textDefault(engine, '')))
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
