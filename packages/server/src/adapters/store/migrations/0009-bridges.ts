import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreEngine } from '../../../ports/store.js';
import { contentText, createTable, keyText } from './columns.js';

/**
 * Bridges (seed 001): the items workers push per platform account, the accounts (one row each,
 * locked by every batch so that batches of one account apply one after the other) and the
 * worker tokens. Raw items are JSON text on every engine; times are integer milliseconds.
 */
export function bridgesMigration(engine: StoreEngine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createTable(db, engine, 'bridge_accounts')
        .addColumn('platform', keyText(engine), (c) => c.notNull())
        .addColumn('account_id', keyText(engine), (c) => c.notNull())
        .addColumn('last_sync_at', 'bigint', (c) => c.notNull())
        .addColumn('last_timestamp', 'bigint', (c) => c.notNull())
        .addColumn('owner_token_id', keyText(engine))
        .addPrimaryKeyConstraint('bridge_accounts_pk', ['platform', 'account_id'])
        .execute();

      // Four 191-character keys are 3,056 bytes on MySQL: under InnoDB's 3,072-byte limit.
      await createTable(db, engine, 'bridge_items')
        .addColumn('platform', keyText(engine), (c) => c.notNull())
        .addColumn('account_id', keyText(engine), (c) => c.notNull())
        .addColumn(
          'kind',
          engine === 'mysql' ? sql`varchar(16) collate utf8mb4_bin` : 'text',
          (c) => c.notNull(),
        )
        .addColumn('item_id', keyText(engine), (c) => c.notNull())
        .addColumn('raw', contentText(engine), (c) => c.notNull())
        .addColumn('conversation_id', keyText(engine))
        .addColumn('sort_time', 'bigint', (c) => c.notNull())
        .addColumn('item_time', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .addColumn('synced_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('bridge_items_pk', ['platform', 'account_id', 'kind', 'item_id'])
        .execute();
      await db.schema
        .createIndex('bridge_items_page')
        .on('bridge_items')
        .columns(['account_id', 'kind', 'sort_time', 'platform', 'item_id'])
        .execute();
      await db.schema
        .createIndex('bridge_items_by_conversation')
        .on('bridge_items')
        .columns(['account_id', 'conversation_id', 'sort_time'])
        .execute();

      await createTable(db, engine, 'worker_tokens')
        .addColumn('id', keyText(engine), (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', keyText(engine), (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['worker_tokens', 'bridge_items', 'bridge_accounts']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
