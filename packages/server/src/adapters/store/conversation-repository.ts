import { sql, type Kysely } from 'kysely';
import type { ConversationType, MembershipRecord } from '../../domain/conversation.js';
import type {
  ConversationPage,
  ConversationPageQuery,
  ConversationRepository,
  ConversationSummary,
  NewConversation,
} from '../../ports/messaging-store.js';
import { hasReturning, insertIfAbsent, lockForWrite, type EngineSql } from './engine-sql.js';
import { inTransaction, toConversation, toMembership, toMessage } from './rows.js';
import type { Database } from './schema.js';

export class KyselyConversationRepository implements ConversationRepository {
  readonly #db: Kysely<Database>;
  readonly #engine: EngineSql;

  constructor(db: Kysely<Database>, engine: EngineSql) {
    this.#db = db;
    this.#engine = engine;
  }

  async find(id: string) {
    const row = await this.#db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toConversation(row);
  }

  ensure(conversation: NewConversation, memberIds: readonly string[]): Promise<boolean> {
    return inTransaction(this.#db, async (trx) => {
      const inserted = await insertIfAbsent(
        this.#engine,
        trx.insertInto('conversations').values({
          id: conversation.id,
          type: conversation.type,
          name: conversation.name,
          created_at: conversation.createdAt,
          last_activity_at: conversation.createdAt,
        }),
        (oc) => oc.column('id').doNothing(),
      );
      const repo = new KyselyConversationRepository(trx, this.#engine);
      for (const userId of memberIds) {
        await repo.addMember(conversation.id, userId, conversation.createdAt);
      }
      return inserted;
    });
  }

  addMember(conversationId: string, userId: string, at: number): Promise<boolean> {
    return inTransaction(this.#db, async (trx) => {
      // Members are added under the conversation's lock on MySQL (see member-repository.ts).
      await lockForWrite(trx, this.#engine, 'conversations', conversationId);
      const added = await insertIfAbsent(
        this.#engine,
        trx
          .insertInto('conversation_members')
          .values({ conversation_id: conversationId, user_id: userId, joined_at: at }),
        (oc) => oc.columns(['conversation_id', 'user_id']).doNothing(),
      );
      if (added) {
        await trx
          .updateTable('conversations')
          .set((eb) => ({ member_count: eb('member_count', '+', 1) }))
          .where('id', '=', conversationId)
          .execute();
      }
      return added;
    });
  }

  async membership(conversationId: string, userId: string): Promise<MembershipRecord | undefined> {
    const row = await this.#member(this.#db, conversationId, userId);
    return row && toMembership(row);
  }

  async listForUser(userId: string, page: ConversationPageQuery): Promise<ConversationPage> {
    // The keyset reads the user's memberships (an index-only range) and each conversation's
    // position by primary key: cheap work per conversation of the user, done in the database.
    // The costly columns of a summary (last message, unread count) are read for the page only.
    const { after, limit } = page;
    let query = this.#db
      .selectFrom('conversation_members as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .select(['c.id', 'c.last_activity_at'])
      .where('m.user_id', '=', userId);
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('c.last_activity_at', '<', after.lastActivityAt),
          eb.and([eb('c.last_activity_at', '=', after.lastActivityAt), eb('c.id', '>', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('c.last_activity_at', 'desc')
      .orderBy('c.id')
      .limit(limit + 1)
      .execute();
    const positions = rows
      .slice(0, limit)
      .map((r) => ({ id: r.id, lastActivityAt: Number(r.last_activity_at) }));
    const summaries = new Map(
      (
        await this.#summaries(
          userId,
          positions.map((p) => p.id),
        )
      ).map((s) => [s.conversation.id, s]),
    );
    // In the keyset's order and at the keyset's positions, even if one of them moved since.
    const entries = positions.flatMap((position) => {
      const summary = summaries.get(position.id);
      return summary === undefined ? [] : [{ position, summary }];
    });
    return { entries, hasMore: rows.length > limit };
  }

  async summary(conversationId: string, userId: string) {
    return (await this.#summaries(userId, [conversationId]))[0];
  }

  /** Summaries of these conversations of the user, most recent activity first. */
  async #summaries(userId: string, ids: readonly string[]): Promise<ConversationSummary[]> {
    if (ids.length === 0) return [];
    const query = this.#db
      .selectFrom('conversation_members as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .leftJoin('messages as lm', (join) =>
        join.onRef('lm.conversation_id', '=', 'c.id').onRef('lm.seq', '=', 'c.max_seq'),
      )
      .selectAll('c')
      .select([
        'm.read_seq',
        'm.delivered_seq',
        'm.joined_at',
        'm.role',
        'm.muted_until',
        'lm.id as lm_id',
        'lm.seq as lm_seq',
        'lm.sender_id as lm_sender_id',
        'lm.client_msg_id as lm_client_msg_id',
        'lm.type as lm_type',
        'lm.content as lm_content',
        'lm.status as lm_status',
        'lm.created_at as lm_created_at',
        'lm.edited_at as lm_edited_at',
      ])
      .select((eb) =>
        eb
          .selectFrom('messages as x')
          .select(eb.fn.countAll().as('n'))
          .whereRef('x.conversation_id', '=', 'c.id')
          .whereRef('x.seq', '>', 'm.read_seq')
          .where('x.sender_id', '<>', userId)
          .as('unread_count'),
      )
      .where('m.user_id', '=', userId)
      .where('c.id', 'in', ids);
    const rows = await query.orderBy('c.last_activity_at', 'desc').orderBy('c.id').execute();
    return rows.map((row) => ({
      conversation: toConversation(row),
      membership: toMembership({
        conversation_id: row.id,
        user_id: userId,
        read_seq: row.read_seq,
        delivered_seq: row.delivered_seq,
        joined_at: row.joined_at,
        role: row.role,
        muted_until: row.muted_until,
      }),
      unreadCount: Number(row.unread_count ?? 0),
      lastMessage:
        row.lm_id === null
          ? null
          : toMessage({
              conversation_id: row.id,
              id: row.lm_id,
              seq: row.lm_seq as number,
              sender_id: row.lm_sender_id as string,
              client_msg_id: row.lm_client_msg_id as string,
              type: row.lm_type as string,
              content: row.lm_content as string,
              status: row.lm_status as string,
              created_at: row.lm_created_at as number,
              edited_at: row.lm_edited_at,
            }),
    }));
  }

  markRead(conversationId: string, userId: string, seq: number) {
    return this.#advance('read_seq', conversationId, userId, seq);
  }

  markDelivered(conversationId: string, userId: string, seq: number) {
    return this.#advance('delivered_seq', conversationId, userId, seq);
  }

  async #advance(
    column: 'read_seq' | 'delivered_seq',
    conversationId: string,
    userId: string,
    seq: number,
  ): Promise<number | undefined> {
    const maxSeq = this.#db
      .selectFrom('conversations')
      .select('max_seq')
      .where('id', '=', conversationId);
    // CASE rather than min()/least(): the one spelling both engines share.
    const target = sql<number>`case when ${seq} < (${maxSeq}) then ${seq} else (${maxSeq}) end`;
    const update = (db: Kysely<Database>) =>
      db
        .updateTable('conversation_members')
        .set({ [column]: target })
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId)
        .where(column, '<', target);
    if (hasReturning(this.#engine)) {
      const result = await update(this.#db).returning(column).executeTakeFirst();
      return result === undefined ? undefined : Number(result[column]);
    }
    // MySQL: the value this update wrote, read while the update's row lock still holds it.
    return inTransaction(this.#db, async (trx) => {
      const result = await update(trx).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      return Number((await this.#member(trx, conversationId, userId))?.[column]);
    });
  }

  #member(db: Kysely<Database>, conversationId: string, userId: string) {
    return db
      .selectFrom('conversation_members')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  async idsForUser(userId: string, types: readonly ConversationType[]): Promise<string[]> {
    if (types.length === 0) return [];
    const rows = await this.#db
      .selectFrom('conversation_members as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .select('c.id')
      .where('m.user_id', '=', userId)
      .where('c.type', 'in', types)
      .execute();
    return rows.map((r) => r.id);
  }

  async worlds(limit: number) {
    const rows = await this.#db
      .selectFrom('conversations')
      .selectAll()
      .where('type', '=', 'world')
      .orderBy('member_count', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toConversation);
  }

  async contactsOf(userId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('conversation_members as mine')
      .innerJoin('conversations as c', 'c.id', 'mine.conversation_id')
      .innerJoin('conversation_members as peer', 'peer.conversation_id', 'c.id')
      .select('peer.user_id')
      .distinct()
      .where('mine.user_id', '=', userId)
      .where('c.type', '=', 'single')
      .where('peer.user_id', '<>', userId)
      .execute();
    return rows.map((r) => r.user_id);
  }
}
