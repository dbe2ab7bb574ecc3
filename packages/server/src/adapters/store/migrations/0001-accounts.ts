import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreEngine } from '../../../ports/store.js';
import { createTable, keyReference, keyText, textDefault } from './columns.js';

/** Users, sessions (one per device) and the refresh tokens of each session. */
export function accountsMigration(engine: StoreEngine): Migration {
  // Byte order for username keys, so that prefix ranges work whatever the database's locale.
  const usernameKeyType = engine === 'postgres' ? sql`text collate "C"` : keyText(engine);
  return {
    async up(db: Kysely<unknown>) {
      await createTable(db, engine, 'users')
        .addColumn('id', keyText(engine), (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('username_key', usernameKeyType, (c) => c.notNull().unique())
        .addColumn('password_hash', 'text')
        .addColumn('nickname', 'text', (c) => c.notNull())
        .addColumn('avatar_url', 'text', (c) => c.notNull().defaultTo(textDefault(engine, '')))
        .addColumn('bio', 'text', (c) => c.notNull().defaultTo(textDefault(engine, '')))
        .addColumn('is_guest', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await createTable(db, engine, 'sessions')
        .addColumn('id', keyText(engine), (c) => c.primaryKey())
        .$call(keyReference(engine, 'sessions', 'user_id', 'users.id', { onDelete: 'cascade' }))
        .addColumn('device_id', keyText(engine), (c) => c.notNull())
        .addColumn('user_agent', 'text', (c) => c.notNull().defaultTo(textDefault(engine, '')))
        .addColumn('ip', 'text', (c) => c.notNull().defaultTo(textDefault(engine, '')))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoked_reason', 'text')
        .execute();
      await db.schema
        .createIndex('sessions_user_device')
        .on('sessions')
        .columns(['user_id', 'device_id'])
        .execute();

      await createTable(db, engine, 'refresh_tokens')
        .addColumn('token_hash', keyText(engine), (c) => c.primaryKey())
        .$call(
          keyReference(engine, 'refresh_tokens', 'session_id', 'sessions.id', {
            onDelete: 'cascade',
          }),
        )
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('refresh_tokens_session')
        .on('refresh_tokens')
        .column('session_id')
        .execute();
      await db.schema
        .createIndex('refresh_tokens_expires')
        .on('refresh_tokens')
        .column('expires_at')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('refresh_tokens').execute();
      await db.schema.dropTable('sessions').execute();
      await db.schema.dropTable('users').execute();
    },
  };
}
