import type { Kysely, Selectable } from 'kysely';
import type { DeviceSessionStatus } from '../../domain/device.js';
import type {
  ConnectionEventRecord,
  DeviceJournalBatch,
  DeviceSessionRecord,
  DeviceSessionRepository,
  LogDirection,
  MessageLogRecord,
} from '../../ports/device-store.js';
import type { DeviceSessionsTable } from './device-schema.js';
import { inTransaction } from './rows.js';
import type { Database } from './schema.js';

/** Rows per INSERT: well under every engine's bound on parameters. */
const CHUNK = 200;

const toSession = (row: Selectable<DeviceSessionsTable>): DeviceSessionRecord => ({
  sessionId: row.session_id,
  deviceId: row.device_id,
  clientId: row.client_id,
  userId: row.user_id,
  connectedAt: Number(row.connected_at),
  lastActiveAt: Number(row.last_active_at),
  status: row.status as DeviceSessionStatus,
  metadata: row.metadata,
});

export class KyselyDeviceSessionRepository implements DeviceSessionRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  journal(batch: DeviceJournalBatch): Promise<void> {
    return inTransaction(this.#db, async (trx) => {
      for (let i = 0; i < batch.opened.length; i += CHUNK) {
        await trx
          .insertInto('device_sessions')
          .values(
            batch.opened.slice(i, i + CHUNK).map((s) => ({
              session_id: s.sessionId,
              device_id: s.deviceId,
              client_id: s.clientId,
              user_id: s.userId,
              connected_at: s.connectedAt,
              last_active_at: s.lastActiveAt,
              status: s.status,
              metadata: s.metadata,
              created_at: s.connectedAt,
              updated_at: s.connectedAt,
            })),
          )
          .execute();
      }
      for (let i = 0; i < batch.logs.length; i += CHUNK) {
        await trx
          .insertInto('message_logs')
          .values(
            batch.logs.slice(i, i + CHUNK).map((l) => ({
              id: l.id,
              session_id: l.sessionId,
              message_type: l.messageType,
              content: l.content,
              direction: l.direction,
              created_at: l.createdAt,
            })),
          )
          .execute();
      }
      for (let i = 0; i < batch.events.length; i += CHUNK) {
        await trx
          .insertInto('connection_events')
          .values(
            batch.events.slice(i, i + CHUNK).map((e) => ({
              id: e.id,
              session_id: e.sessionId,
              event_type: e.eventType,
              event_data: e.eventData,
              created_at: e.createdAt,
            })),
          )
          .execute();
      }
      for (const { sessionId, at } of batch.touched) {
        await trx
          .updateTable('device_sessions')
          .set({ last_active_at: at, updated_at: at })
          .where('session_id', '=', sessionId)
          .where('last_active_at', '<', at)
          .execute();
      }
      for (const { sessionId, status, at } of batch.statuses) {
        await trx
          .updateTable('device_sessions')
          .set({ status, updated_at: at })
          .where('session_id', '=', sessionId)
          .execute();
      }
    });
  }

  async findById(sessionId: string): Promise<DeviceSessionRecord | undefined> {
    const row = await this.#db
      .selectFrom('device_sessions')
      .selectAll()
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return row === undefined ? undefined : toSession(row);
  }

  async listForDevice(
    deviceId: string,
    before: string | undefined,
    limit: number,
  ): Promise<DeviceSessionRecord[]> {
    let query = this.#db
      .selectFrom('device_sessions')
      .selectAll()
      .where('device_id', '=', deviceId);
    if (before !== undefined) query = query.where('session_id', '<', before);
    const rows = await query.orderBy('session_id', 'desc').limit(limit).execute();
    return rows.map(toSession);
  }

  async listLogs(
    sessionId: string,
    after: string | undefined,
    limit: number,
  ): Promise<MessageLogRecord[]> {
    let query = this.#db.selectFrom('message_logs').selectAll().where('session_id', '=', sessionId);
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id,
      sessionId: r.session_id,
      messageType: r.message_type,
      content: r.content,
      direction: r.direction as LogDirection,
      createdAt: Number(r.created_at),
    }));
  }

  async listEvents(
    sessionId: string,
    after: string | undefined,
    limit: number,
  ): Promise<ConnectionEventRecord[]> {
    let query = this.#db
      .selectFrom('connection_events')
      .selectAll()
      .where('session_id', '=', sessionId);
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id,
      sessionId: r.session_id,
      eventType: r.event_type,
      eventData: r.event_data,
      createdAt: Number(r.created_at),
    }));
  }
}
