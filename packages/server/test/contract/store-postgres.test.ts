import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { APPEND_BATCH_SQL } from '../../src/adapters/store/postgres-append-batch.js';
import { openPostgresStore } from '../../src/adapters/store/postgres.js';
import { singleConversationId } from '../../src/domain/conversation.js';
import { createDatabase } from '../support/postgres-server.js';
import { describeBridgeAccountsContract } from './bridge-accounts.contract.js';
import { describeBridgeGrantsContract } from './bridge-grants.contract.js';
import { describeBridgeStoreContract } from './bridge-store.contract.js';
import { describeDeviceStoreContract } from './device-store.contract.js';
import { describeGroupStoreContract } from './group-store.contract.js';
import { describeMessagingStoreContract } from './messaging-store.contract.js';
import { describeSocialStoreContract } from './social-store.contract.js';
import { describeStoreContract, user, type StoreHarness } from './store.contract.js';

async function harness(): Promise<StoreHarness> {
  const url = await createDatabase(inject('postgresUrl'));
  return {
    open: async () => openPostgresStore({ url, poolSize: 10 }),
    dispose: async () => {},
  };
}

describeStoreContract('postgres', harness);
describeMessagingStoreContract('postgres', harness);
describeSocialStoreContract('postgres', harness);
describeGroupStoreContract('postgres', harness);
describeDeviceStoreContract('postgres', harness);
describeBridgeStoreContract('postgres', harness);
describeBridgeGrantsContract('postgres', harness);
describeBridgeAccountsContract('postgres', harness);

describe('PostgreSQL: a message batch in one statement', () => {
  it('writes new messages without the lookup path, and takes it for a retried key', async () => {
    const fallbacks: string[] = [];
    const url = await createDatabase(inject('postgresUrl'));
    const store = openPostgresStore({ url, onAppendFallback: (reason) => fallbacks.push(reason) });
    try {
      await store.migrate();
      const [a, b] = [user(), user()];
      await store.users.insert(a);
      await store.users.insert(b);
      const convo = singleConversationId(a.id, b.id);
      await store.conversations.ensure({ id: convo, type: 'single', name: '', createdAt: 1 }, [
        a.id,
        b.id,
      ]);
      const message = (clientMsgId: string, id: string) => ({
        id,
        conversationId: convo,
        senderId: a.id,
        clientMsgId,
        type: 'text',
        content: '{"text":"a \\"quoted\\" line\\nand ünïcode"}',
        status: 'sent' as const,
        createdAt: 10,
      });
      const first = await store.messages.appendBatch([message('k1', 'm1'), message('k2', 'm2')]);
      expect(first.map((r) => [r.message.seq, r.duplicate])).toEqual([
        [1, false],
        [2, false],
      ]);
      expect(fallbacks).toEqual([]);
      expect((await store.messages.find(convo, 1))?.content).toBe(message('k1', 'm1').content);

      const retry = await store.messages.appendBatch([message('k2', 'm3'), message('k3', 'm4')]);
      expect(retry.map((r) => [r.message.id, r.message.seq, r.duplicate])).toEqual([
        ['m2', 2, true],
        ['m4', 3, false],
      ]);
      expect(fallbacks).toEqual(['a key already stored (a retry)']);
    } finally {
      await store.close();
    }
  });
});

describe('PostgreSQL: the batch statement and many conversations', () => {
  it('finds the batch conversations by key, never by reading the whole table', async () => {
    const url = await createDatabase(inject('postgresUrl'));
    const store = openPostgresStore({ url });
    const client = new pg.Client({ connectionString: url });
    try {
      await store.migrate();
      await client.connect();
      await client.query(
        `INSERT INTO conversations (id, type, created_at, last_activity_at)
         SELECT 'c' || g, 'single', 0, 0 FROM generate_series(1, 20000) g`,
      );
      await client.query('ANALYZE conversations');
      // The plan every pooled connection settles on once the statement is prepared.
      await client.query('SET plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE append_batch(json, json, text[]) AS ${APPEND_BATCH_SQL}`);
      const rows = [1, 2].map((n) => ({
        conversation_id: `c${n}`,
        id: `m${n}`,
        sender_id: 's',
        client_msg_id: `k${n}`,
        type: 'text',
        content: '{"text":"hi"}',
        status: 'sent',
        created_at: 1,
        ord: 1,
      }));
      const counts = rows.map((r) => ({ id: r.conversation_id, n: 1, last_at: 1 }));
      const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;
      const { rows: plan } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, COSTS OFF) EXECUTE append_batch(${literal(JSON.stringify(rows))},
           ${literal(JSON.stringify(counts))}, ARRAY['c1', 'c2'])`,
      );
      const text = plan.map((line) => line['QUERY PLAN']).join('\n');
      expect(text).toContain('Index Scan using conversations_pkey on conversations');
      expect(text).not.toMatch(/Seq Scan on conversations/);
      const { rows: seqs } = await client.query<{ conversation_id: string; seq: string }>(
        'SELECT conversation_id, seq FROM messages ORDER BY conversation_id',
      );
      expect(seqs).toEqual([
        { conversation_id: 'c1', seq: '1' },
        { conversation_id: 'c2', seq: '1' },
      ]);
    } finally {
      await client.end();
      await store.close();
    }
  });
});
