import type { Kysely } from 'kysely';
import type { ExtJob, ExtJobRepository } from '../../ports/messaging-store.js';
import { insertIfAbsent, type EngineSql } from './engine-sql.js';
import type { Database } from './schema.js';

export class KyselyExtJobRepository implements ExtJobRepository {
  readonly #db: Kysely<Database>;
  readonly #engine: EngineSql;

  constructor(db: Kysely<Database>, engine: EngineSql) {
    this.#db = db;
    this.#engine = engine;
  }

  async add(messageId: string, msgType: string, at: number): Promise<void> {
    await insertIfAbsent(
      this.#engine,
      this.#db
        .insertInto('ext_jobs')
        .values({ message_id: messageId, msg_type: msgType, next_attempt_at: at, created_at: at }),
      (oc) => oc.column('message_id').doNothing(),
    );
  }

  async due(now: number, limit: number): Promise<ExtJob[]> {
    const rows = await this.#db
      .selectFrom('ext_jobs')
      .selectAll()
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      messageId: r.message_id,
      msgType: r.msg_type,
      attempts: Number(r.attempts),
      nextAttemptAt: Number(r.next_attempt_at),
    }));
  }

  async reschedule(messageId: string, attempts: number, nextAttemptAt: number): Promise<void> {
    await this.#db
      .updateTable('ext_jobs')
      .set({ attempts, next_attempt_at: nextAttemptAt })
      .where('message_id', '=', messageId)
      .execute();
  }

  async remove(messageId: string): Promise<void> {
    await this.#db.deleteFrom('ext_jobs').where('message_id', '=', messageId).execute();
  }

  async claim(job: ExtJob, leaseUntil: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('ext_jobs')
      .set({ next_attempt_at: leaseUntil })
      .where('message_id', '=', job.messageId)
      .where('next_attempt_at', '=', job.nextAttemptAt)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
