import type { Kysely, Migration } from 'kysely';
import type { StoreEngine } from '../../../ports/store.js';
import { createTable, keyText } from './columns.js';

/** Bridges: which users may read an account's items (by account id, whatever the platform). */
export function bridgeGrantsMigration(engine: StoreEngine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createTable(db, engine, 'bridge_grants')
        .addColumn('account_id', keyText(engine), (c) => c.notNull())
        .addColumn('user_id', keyText(engine), (c) => c.notNull())
        .addColumn('granted_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('bridge_grants_pk', ['account_id', 'user_id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('bridge_grants').execute();
    },
  };
}
