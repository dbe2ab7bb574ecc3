import type { Kysely, Migration } from 'kysely';
import type { StoreEngine } from '../../../ports/store.js';
import { contentText, createTable, keyReference, keyText, textDefault } from './columns.js';

/** Conversations, their members, messages (seq per conversation) and the change log. */
export function messagingMigration(engine: StoreEngine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createTable(db, engine, 'conversations')
        .addColumn('id', keyText(engine), (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull().defaultTo(textDefault(engine, '')))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('max_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('max_change_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_activity_at', 'bigint', (c) => c.notNull())
        .execute();

      await createTable(db, engine, 'conversation_members')
        .$call(
          keyReference(engine, 'conversation_members', 'conversation_id', 'conversations.id', {
            onDelete: 'cascade',
          }),
        )
        .$call(
          keyReference(engine, 'conversation_members', 'user_id', 'users.id', {
            onDelete: 'cascade',
          }),
        )
        .addColumn('read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('delivered_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('joined_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('conversation_members_pk', ['conversation_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('conversation_members_user')
        .on('conversation_members')
        .column('user_id')
        .execute();

      await createTable(db, engine, 'messages')
        .$call(
          keyReference(engine, 'messages', 'conversation_id', 'conversations.id', {
            onDelete: 'cascade',
          }),
        )
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('id', keyText(engine), (c) => c.notNull().unique())
        .addColumn('sender_id', keyText(engine), (c) => c.notNull())
        .addColumn('client_msg_id', keyText(engine), (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('content', contentText(engine), (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('edited_at', 'bigint')
        .addPrimaryKeyConstraint('messages_pk', ['conversation_id', 'seq'])
        .addUniqueConstraint('messages_idempotency', ['sender_id', 'client_msg_id'])
        .execute();

      await createTable(db, engine, 'message_changes')
        .$call(
          keyReference(engine, 'message_changes', 'conversation_id', 'conversations.id', {
            onDelete: 'cascade',
          }),
        )
        .addColumn('change_seq', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_changes_pk', ['conversation_id', 'change_seq'])
        .execute();

      const now = Date.now();
      await (db as Kysely<{ conversations: Record<string, unknown> }>)
        .insertInto('conversations')
        .values({
          id: 'w_lobby',
          type: 'world',
          name: 'Lobby',
          created_at: now,
          last_activity_at: now,
        })
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of [
        'message_changes',
        'messages',
        'conversation_members',
        'conversations',
      ]) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
