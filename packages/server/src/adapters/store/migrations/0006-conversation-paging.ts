import type { Kysely, Migration } from 'kysely';
import type { StoreEngine } from '../../../ports/store.js';
import { dropIndex } from './columns.js';

/**
 * Paging a user's conversations by (last_activity_at, id): the user's memberships become an
 * index-only range on (user_id, conversation_id). The position itself stays on the
 * conversation row, found by primary key: an index on it would be rewritten by every message.
 */
export function conversationPagingMigration(engine: StoreEngine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('conversation_members_user_conversation')
        .on('conversation_members')
        .columns(['user_id', 'conversation_id'])
        .execute();
      await dropIndex(db, engine, 'conversation_members_user', 'conversation_members');
    },
    async down(db: Kysely<unknown>) {
      await db.schema
        .createIndex('conversation_members_user')
        .on('conversation_members')
        .column('user_id')
        .execute();
      await dropIndex(db, engine, 'conversation_members_user_conversation', 'conversation_members');
    },
  };
}
