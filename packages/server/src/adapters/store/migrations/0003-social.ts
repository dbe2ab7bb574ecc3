import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreEngine } from '../../../ports/store.js';
import { createTable, keyReference, keyText, textDefault } from './columns.js';

/**
 * The social graph: friend requests (at most one pending per pair of users, in either
 * direction, through a unique partial index on the sorted pair), friendships (two rows each)
 * and one-way blocks.
 */
export function socialMigration(engine: StoreEngine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createTable(db, engine, 'friend_requests')
        .addColumn('request_id', keyText(engine), (c) => c.primaryKey())
        .$call(
          keyReference(engine, 'friend_requests', 'from_user_id', 'users.id', {
            onDelete: 'cascade',
          }),
        )
        .$call(
          keyReference(engine, 'friend_requests', 'to_user_id', 'users.id', {
            onDelete: 'cascade',
          }),
        )
        .addColumn('message', 'text', (c) => c.notNull().defaultTo(textDefault(engine, '')))
        .addColumn('status', keyText(engine), (c) => c.notNull())
        .addColumn('pair_key', keyText(engine), (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint(
          'friend_requests_status',
          sql`status in ('pending', 'accepted', 'rejected', 'canceled')`,
        )
        .execute();
      await pendingPairIndex(db, engine);
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

      await createTable(db, engine, 'friendships')
        .$call(keyReference(engine, 'friendships', 'user_id', 'users.id', { onDelete: 'cascade' }))
        .$call(
          keyReference(engine, 'friendships', 'friend_id', 'users.id', { onDelete: 'cascade' }),
        )
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('friendships_pk', ['user_id', 'friend_id'])
        .execute();

      await createTable(db, engine, 'blocks')
        .$call(keyReference(engine, 'blocks', 'blocker_id', 'users.id', { onDelete: 'cascade' }))
        .$call(keyReference(engine, 'blocks', 'blocked_id', 'users.id', { onDelete: 'cascade' }))
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

/**
 * At most one pending request per pair. MySQL has no partial index: a generated column holds
 * the pair key while the request is pending (NULL after), and NULLs never collide in a unique
 * index.
 */
async function pendingPairIndex(db: Kysely<unknown>, engine: StoreEngine): Promise<void> {
  if (engine !== 'mysql') {
    await db.schema
      .createIndex('friend_requests_pending_pair')
      .unique()
      .on('friend_requests')
      .column('pair_key')
      .where(sql.ref('status'), '=', 'pending')
      .execute();
    return;
  }
  await db.schema
    .alterTable('friend_requests')
    .addColumn('pending_pair_key', keyText(engine), (c) =>
      c.generatedAlwaysAs(sql`case when status = 'pending' then pair_key end`).stored(),
    )
    .execute();
  await db.schema
    .createIndex('friend_requests_pending_pair')
    .unique()
    .on('friend_requests')
    .column('pending_pair_key')
    .execute();
}
