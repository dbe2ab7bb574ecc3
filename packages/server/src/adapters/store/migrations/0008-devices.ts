import type { Kysely, Migration } from 'kysely';
import type { StoreEngine } from '../../../ports/store.js';
import { contentText, createTable, keyReference, keyText } from './columns.js';

/**
 * Voice devices (seed 002): the devices and their owners (activation), and the seed's three
 * tables — device_sessions, message_logs, connection_events — with the seed's columns. Times
 * are integer milliseconds as everywhere in Parley; JSON columns are text on every engine.
 */
export function devicesMigration(engine: StoreEngine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createTable(db, engine, 'devices')
        .addColumn('device_id', keyText(engine), (c) => c.primaryKey())
        .addColumn('owner_id', keyText(engine))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('bind_code', keyText(engine), (c) => c.unique())
        .addColumn('bind_code_expires_at', 'bigint')
        .addColumn('bound_at', 'bigint')
        .addColumn('system_info', contentText(engine), (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('devices_by_owner')
        .on('devices')
        .columns(['owner_id', 'device_id'])
        .execute();

      await createTable(db, engine, 'device_sessions')
        .addColumn('session_id', keyText(engine), (c) => c.primaryKey())
        .addColumn('device_id', keyText(engine), (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('user_id', keyText(engine), (c) => c.notNull())
        .addColumn('connected_at', 'bigint', (c) => c.notNull())
        .addColumn('last_active_at', 'bigint', (c) => c.notNull())
        .addColumn('status', keyText(engine), (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      for (const [name, columns] of [
        ['device_sessions_by_device', ['device_id', 'session_id']],
        ['device_sessions_by_user', ['user_id']],
        ['device_sessions_by_status', ['status']],
        ['device_sessions_by_last_active', ['last_active_at']],
      ] as const) {
        await db.schema
          .createIndex(name)
          .on('device_sessions')
          .columns([...columns])
          .execute();
      }

      await createTable(db, engine, 'message_logs')
        .addColumn('id', keyText(engine), (c) => c.primaryKey())
        .$call(
          keyReference(engine, 'message_logs', 'session_id', 'device_sessions.session_id', {
            onDelete: 'cascade',
          }),
        )
        .addColumn('message_type', keyText(engine), (c) => c.notNull())
        .addColumn('content', contentText(engine), (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('message_logs_by_session')
        .on('message_logs')
        .columns(['session_id', 'id'])
        .execute();
      await db.schema
        .createIndex('message_logs_by_type')
        .on('message_logs')
        .column('message_type')
        .execute();

      await createTable(db, engine, 'connection_events')
        .addColumn('id', keyText(engine), (c) => c.primaryKey())
        .$call(
          keyReference(engine, 'connection_events', 'session_id', 'device_sessions.session_id', {
            onDelete: 'cascade',
          }),
        )
        .addColumn('event_type', keyText(engine), (c) => c.notNull())
        .addColumn('event_data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('connection_events_by_session')
        .on('connection_events')
        .columns(['session_id', 'id'])
        .execute();
      await db.schema
        .createIndex('connection_events_by_type')
        .on('connection_events')
        .column('event_type')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['connection_events', 'message_logs', 'device_sessions', 'devices']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
