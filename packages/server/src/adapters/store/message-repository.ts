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
import {
  addToConversationCounter,
  lockConversations,
  updateReturningAll,
  withWriteRetry,
  type EngineSql,
} from './engine-sql.js';
import { inTransaction, toChange, toMessage } from './rows.js';
import type { Database } from './schema.js';

export class KyselyMessageRepository implements MessageRepository {
  readonly #db: Kysely<Database>;
  readonly #engine: EngineSql;

  constructor(db: Kysely<Database>, engine: EngineSql) {
    this.#db = db;
    this.#engine = engine;
  }

  appendBatch(messages: readonly NewMessage[]): Promise<AppendResult[]> {
    if (messages.length === 0) return Promise.resolve([]);
    // Another process may store one of these keys between the lookup and the insert: the
    // insert then fails on the unique key, and the batch runs again and finds it stored. The
    // next attempt locks the conversations before the lookup, so that no one can store a key
    // in them in between (the first does not: it would cost every batch one more round trip).
    return withWriteRetry(this.#db, this.#engine, (trx, attempt) =>
      this.#append(trx, messages, attempt > 1),
    );
  }

  async #append(
    trx: Kysely<Database>,
    messages: readonly NewMessage[],
    lockFirst: boolean,
  ): Promise<AppendResult[]> {
    if (lockFirst) {
      const ids = [...new Set(messages.map((m) => m.conversationId))].sort();
      await lockConversations(trx, this.#engine, ids);
    }
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
    const byConversation = new Map<string, NewMessage[]>();
    const taken = new Set(results.keys());
    for (const message of messages) {
      const key = keyOf(message.senderId, message.clientMsgId);
      if (taken.has(key)) continue;
      taken.add(key);
      const list = byConversation.get(message.conversationId);
      if (list === undefined) byConversation.set(message.conversationId, [message]);
      else list.push(message);
    }

    // One seq range per conversation, taken in the transaction that inserts the rows: the
    // update locks the conversation row until commit, so concurrent writers (in any process)
    // take their ranges one after another, and a rollback gives the range back. Conversations
    // are locked in id order, so two batches never wait for each other's locks in a cycle.
    const rows: MessageRecord[] = [];
    for (const conversationId of [...byConversation.keys()].sort()) {
      const list = byConversation.get(conversationId) as NewMessage[];
      const last = list[list.length - 1] as NewMessage;
      const maxSeq = await addToConversationCounter(
        trx,
        this.#engine,
        conversationId,
        'max_seq',
        list.length,
        { last_activity_at: last.createdAt },
      );
      if (maxSeq === undefined) throw new Error(`No conversation ${conversationId}`);
      const first = maxSeq - list.length + 1;
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
    const [row] = await updateReturningAll(this.#db, this.#engine, 'messages', { content }, (eb) =>
      eb.and([eb('id', '=', messageId), eb('status', '=', 'pending')]),
    );
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
      const [updated] = await updateReturningAll(
        trx,
        this.#engine,
        'messages',
        {
          ...(change.content !== undefined && { content: change.content }),
          ...(change.status !== undefined && { status: change.status }),
          ...(change.editedAt !== undefined && { edited_at: change.editedAt }),
        },
        (eb) =>
          eb.and([
            eb('conversation_id', '=', conversationId),
            eb('seq', '=', seq),
            eb('status', '<>', 'recalled'),
          ]),
      );
      if (updated === undefined) return undefined;
      const changeSeq = await addToConversationCounter(
        trx,
        this.#engine,
        conversationId,
        'max_change_seq',
        1,
      );
      if (changeSeq === undefined) throw new Error(`No conversation ${conversationId}`);
      const entry = {
        conversation_id: conversationId,
        change_seq: changeSeq,
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
