import type BetterSqlite3 from 'better-sqlite3';
import type { MessageRecord, NewMessage } from '../../domain/message.js';
import type { AppendResult } from '../../ports/messaging-store.js';
import { inBatchOrder, keyOf } from './batch-keys.js';
import { toMessage } from './rows.js';
import type { MessagesTable } from './schema.js';

/** Appends a batch synchronously, in one SQLite transaction of its own. */
export type SqliteAppend = (messages: readonly NewMessage[]) => AppendResult[];

/**
 * The SQLite group-commit write, straight on better-sqlite3: statements prepared once, run in
 * one synchronous IMMEDIATE transaction. Through kysely, every statement of every batch was
 * compiled from a query tree and awaited; here a batch is one JS call.
 *
 * The same steps as the kysely `appendBatch` (the Store contract checks both): the stored
 * original of each (sender, client_msg_id) already present wins (also the first of repeated
 * keys within the batch); per conversation one read and one UPDATE take the seq range in the
 * transaction that inserts, so a rollback gives it back and seqs stay gap-free.
 *
 * Never call it while a transaction is open on the connection: better-sqlite3 would nest it
 * as a savepoint of that transaction (see SqliteMessageRepository for how that is excluded).
 * The statements are prepared on first use: the tables exist only once the store is migrated.
 */
export function sqliteAppend(database: BetterSqlite3.Database): SqliteAppend {
  let prepared: SqliteAppend | undefined;
  return (messages) => {
    prepared ??= prepare(database);
    return prepared(messages);
  };
}

function prepare(database: BetterSqlite3.Database): SqliteAppend {
  const findByKey = database.prepare<[string, string], MessagesTable>(
    'SELECT * FROM messages WHERE sender_id = ? AND client_msg_id = ?',
  );
  // Read, then write without RETURNING: an UPDATE … RETURNING opens a statement journal for
  // every row it changes (a malloc and free of a page each time, a third of the write cost).
  // The transaction is IMMEDIATE, so nothing else writes between the two.
  const maxSeq = database
    .prepare<[string], number>('SELECT max_seq FROM conversations WHERE id = ?')
    .pluck();
  const takeSeqs = database.prepare<[number, number, string]>(
    'UPDATE conversations SET max_seq = ?, last_activity_at = ? WHERE id = ?',
  );
  const insert = database.prepare<
    [string, number, string, string, string, string, string, string, number]
  >(
    'INSERT INTO messages (conversation_id, seq, id, sender_id, client_msg_id, type, content, ' +
      'status, created_at, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
  );

  const append = (messages: readonly NewMessage[]): AppendResult[] => {
    const results = new Map<string, AppendResult>();
    const byConversation = new Map<string, NewMessage[]>();
    for (const message of messages) {
      const key = keyOf(message.senderId, message.clientMsgId);
      if (results.has(key)) continue;
      const stored = findByKey.get(message.senderId, message.clientMsgId);
      if (stored !== undefined) {
        results.set(key, { message: toMessage(stored), duplicate: true });
        continue;
      }
      // A placeholder marks the key taken; the record replaces it once its seq is known.
      results.set(key, PENDING);
      const list = byConversation.get(message.conversationId);
      if (list === undefined) byConversation.set(message.conversationId, [message]);
      else list.push(message);
    }
    for (const [conversationId, list] of byConversation) {
      const last = list[list.length - 1] as NewMessage;
      const current = maxSeq.get(conversationId);
      if (current === undefined) throw new Error(`No conversation ${conversationId}`);
      let seq = Number(current) + 1;
      takeSeqs.run(Number(current) + list.length, last.createdAt, conversationId);
      for (const m of list) {
        const record: MessageRecord = { ...m, seq, editedAt: null };
        insert.run(
          m.conversationId,
          seq,
          m.id,
          m.senderId,
          m.clientMsgId,
          m.type,
          m.content,
          m.status,
          m.createdAt,
        );
        results.set(keyOf(m.senderId, m.clientMsgId), { message: record, duplicate: false });
        seq++;
      }
    }
    return inBatchOrder(messages, results);
  };
  return database.transaction(append).immediate;
}

const PENDING = {} as AppendResult;
