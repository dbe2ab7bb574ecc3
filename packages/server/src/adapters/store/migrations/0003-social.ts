import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The social graph: friend requests (at most one pending per pair of users, in either
 * direction, through a unique partial index on the sorted pair), friendships (two rows each)
 * and one-way blocks.
 */
export function socialMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('friend_requests')
        .addColumn('request_id', 'text', (c) => c.primaryKey())
        .addColumn('from_user_id', 'text', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('to_user_id', 'text', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('pair_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint(
          'friend_requests_status',
          sql`status in ('pending', 'accepted', 'rejected', 'canceled')`,
        )
        .execute();
      await db.schema
        .createIndex('friend_requests_pending_pair')
        .unique()
        .on('friend_requests')
        .column('pair_key')
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      await db.schema
        .createIndex('friend_requests_to')
        .on('friend_requests')
        .columns(['to_user_id', 'status', 'request_id'])
        .execute();
      await db.schema
        .createIndex('friend_requests_from')
        .on('friend_requests')
        .columns(['from_user_id', 'status', 'request_id'])
        .execute();

      await db.schema
        .createTable('friendships')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('friend_id', 'text', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('friendships_pk', ['user_id', 'friend_id'])
        .execute();

      await db.schema
        .createTable('blocks')
        .addColumn('blocker_id', 'text', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('blocked_id', 'text', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('blocks_pk', ['blocker_id', 'blocked_id'])
        .execute();
      await db.schema.createIndex('blocks_blocked').on('blocks').column('blocked_id').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('blocks').execute();
      await db.schema.dropTable('friendships').execute();
      await db.schema.dropTable('friend_requests').execute();
    },
  };
}
