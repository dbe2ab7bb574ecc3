import type { Kysely } from 'kysely';
import type { MessageRecord, NewMessage } from '../../domain/message.js';
import type {
  AppendResult,
  ChangePage,
  HistoryPage,
  HistoryQuery,
  MessageChange,
  MessageRepository,
} from '../../ports/messaging-store.js';
import { inBatchOrder, keyOf } from './batch-keys.js';
import { inTransaction, toChange, toMessage } from './rows.js';
import type { Database } from './schema.js';

export class KyselyMessageRepository implements MessageRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  appendBatch(messages: readonly NewMessage[]): Promise<AppendResult[]> {
    if (messages.length === 0) return Promise.resolve([]);
    return inTransaction(this.#db, async (trx) => {
      // One read finds every key of the batch that is already stored (retries).
      const results = new Map<string, AppendResult>();
      const existing = await trx
        .selectFrom('messages')
        .selectAll()
        .where('sender_id', 'in', [...new Set(messages.map((m) => m.senderId))])
        .where('client_msg_id', 'in', [...new Set(messages.map((m) => m.clientMsgId))])
        .execute();
      for (const row of existing) {
        results.set(keyOf(row.sender_id, row.client_msg_id), {
          message: toMessage(row),
          duplicate: true,
        });
      }
      const fresh: NewMessage[] = [];
      const taken = new Set(results.keys());
      for (const message of messages) {
        const key = keyOf(message.senderId, message.clientMsgId);
        if (taken.has(key)) continue;
        taken.add(key);
        fresh.push(message);
      }

      // One seq range per conversation, taken in the transaction that inserts the rows.
      const byConversation = new Map<string, NewMessage[]>();
      for (const message of fresh) {
        const list = byConversation.get(message.conversationId) ?? [];
        list.push(message);
        byConversation.set(message.conversationId, list);
      }
      const rows: MessageRecord[] = [];
      for (const [conversationId, list] of byConversation) {
        const last = list[list.length - 1] as NewMessage;
        const updated = await trx
          .updateTable('conversations')
          .set((eb) => ({
            max_seq: eb('max_seq', '+', list.length),
            last_activity_at: last.createdAt,
          }))
          .where('id', '=', conversationId)
          .returning('max_seq')
          .executeTakeFirst();
        if (updated === undefined) throw new Error(`No conversation ${conversationId}`);
        const first = Number(updated.max_seq) - list.length + 1;
        list.forEach((m, i) => rows.push({ ...m, seq: first + i, editedAt: null }));
      }
      if (rows.length > 0) {
        await trx
          .insertInto('messages')
          .values(
            rows.map((m) => ({
              conversation_id: m.conversationId,
              seq: m.seq,
              id: m.id,
              sender_id: m.senderId,
              client_msg_id: m.clientMsgId,
              type: m.type,
              content: m.content,
              status: m.status,
              created_at: m.createdAt,
              edited_at: null,
            })),
          )
          .execute();
      }
      for (const row of rows) {
        results.set(keyOf(row.senderId, row.clientMsgId), { message: row, duplicate: false });
      }
      return inBatchOrder(messages, results);
    });
  }

  async find(conversationId: string, seq: number) {
    const row = await this.#db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    return row && toMessage(row);
  }

  async findById(messageId: string) {
    const row = await this.#db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', messageId)
      .executeTakeFirst();
    return row && toMessage(row);
  }

  async updatePendingContent(messageId: string, content: string) {
    const row = await this.#db
      .updateTable('messages')
      .set({ content })
      .where('id', '=', messageId)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    return row && toMessage(row);
  }

  async findByClientMsgId(senderId: string, clientMsgId: string) {
    const row = await this.#db
      .selectFrom('messages')
      .selectAll()
      .where('sender_id', '=', senderId)
      .where('client_msg_id', '=', clientMsgId)
      .executeTakeFirst();
    return row && toMessage(row);
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    const { conversationId, beforeSeq, afterSeq, limit } = query;
    let select = this.#db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId);
    if (afterSeq !== undefined) select = select.where('seq', '>', afterSeq);
    if (beforeSeq !== undefined) select = select.where('seq', '<', beforeSeq);
    // Catching up (after_seq) reads forward; otherwise read back from the newest end.
    const forward = afterSeq !== undefined;
    const rows = await select
      .orderBy('seq', forward ? 'asc' : 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit).map(toMessage);
    if (!forward) page.reverse();
    return { messages: page, hasMore: rows.length > limit };
  }

  applyChange(conversationId: string, seq: number, change: MessageChange, at: number) {
    return inTransaction(this.#db, async (trx) => {
      const updated = await trx
        .updateTable('messages')
        .set({
          ...(change.content !== undefined && { content: change.content }),
          ...(change.status !== undefined && { status: change.status }),
          ...(change.editedAt !== undefined && { edited_at: change.editedAt }),
        })
        .where('conversation_id', '=', conversationId)
        .where('seq', '=', seq)
        .where('status', '<>', 'recalled')
        .returningAll()
        .executeTakeFirst();
      if (updated === undefined) return undefined;
      const counter = await trx
        .updateTable('conversations')
        .set((eb) => ({ max_change_seq: eb('max_change_seq', '+', 1) }))
        .where('id', '=', conversationId)
        .returning('max_change_seq')
        .executeTakeFirstOrThrow();
      const entry = {
        conversation_id: conversationId,
        change_seq: Number(counter.max_change_seq),
        seq,
        kind: change.kind,
        created_at: at,
      };
      await trx.insertInto('message_changes').values(entry).execute();
      return { message: toMessage(updated), change: toChange(entry) };
    });
  }

  async changes(
    conversationId: string,
    afterChangeSeq: number,
    limit: number,
  ): Promise<ChangePage> {
    const rows = await this.#db
      .selectFrom('message_changes as ch')
      .innerJoin('messages as m', (join) =>
        join.onRef('m.conversation_id', '=', 'ch.conversation_id').onRef('m.seq', '=', 'ch.seq'),
      )
      .selectAll('m')
      .select(['ch.change_seq', 'ch.kind', 'ch.created_at as change_created_at'])
      .where('ch.conversation_id', '=', conversationId)
      .where('ch.change_seq', '>', afterChangeSeq)
      .orderBy('ch.change_seq')
      .limit(limit + 1)
      .execute();
    return {
      changes: rows.slice(0, limit).map((row) => ({
        change: toChange({
          conversation_id: conversationId,
          change_seq: row.change_seq,
          seq: row.seq,
          kind: row.kind,
          created_at: row.change_created_at,
        }),
        message: toMessage(row),
      })),
      hasMore: rows.length > limit,
    };
  }
}
