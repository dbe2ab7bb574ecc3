import type { Kysely, Selectable } from 'kysely';
import type { RevokeReason, SessionRecord } from '../../domain/session.js';
import type { SessionRepository } from '../../ports/store.js';
import type { Database, SessionsTable } from './schema.js';

export class KyselySessionRepository implements SessionRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(session: SessionRecord): Promise<void> {
    await this.#db
      .insertInto('sessions')
      .values({
        id: session.id,
        user_id: session.userId,
        device_id: session.deviceId,
        user_agent: session.userAgent,
        ip: session.ip,
        created_at: session.createdAt,
        last_used_at: session.lastUsedAt,
        expires_at: session.expiresAt,
        revoked_at: session.revokedAt,
        revoked_reason: session.revokedReason,
      })
      .execute();
  }

  async findById(id: string): Promise<SessionRecord | undefined> {
    const row = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async listActive(userId: string, now: number, limit: number): Promise<SessionRecord[]> {
    const rows = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toSession);
  }

  async listActiveForDevice(
    userId: string,
    deviceId: string,
    now: number,
  ): Promise<SessionRecord[]> {
    const rows = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('device_id', '=', deviceId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
    return rows.map(toSession);
  }

  async touch(id: string, lastUsedAt: number, expiresAt: number): Promise<void> {
    await this.#db
      .updateTable('sessions')
      .set({ last_used_at: lastUsedAt, expires_at: expiresAt })
      .where('id', '=', id)
      .execute();
  }

  async revoke(id: string, reason: RevokeReason, at: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('sessions')
      .set({ revoked_at: at, revoked_reason: reason })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    deviceId: row.device_id,
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    expiresAt: Number(row.expires_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    revokedReason: row.revoked_reason as RevokeReason | null,
  };
}
