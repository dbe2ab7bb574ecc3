import type { Kysely, Migration } from 'kysely';
import type { StoreEngine } from '../../../ports/store.js';
import { createTable, keyText } from './columns.js';

/** Extension messages waiting for their service (the passthrough degrade policy). */
export function extensionsMigration(engine: StoreEngine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createTable(db, engine, 'ext_jobs')
        .addColumn('message_id', keyText(engine), (c) => c.primaryKey())
        .addColumn('msg_type', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ext_jobs_due')
        .on('ext_jobs')
        .column('next_attempt_at')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('ext_jobs').execute();
    },
  };
}
