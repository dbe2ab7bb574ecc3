/**
 * Several writers — separate pools as separate processes would have, then real child
 * processes — append to the same conversations at once, with the same client_msg_ids. The
 * in-process group commit does not serialise them: the database must. Seqs stay 1..N with no
 * gap and no duplicate, every key is stored once, and every caller gets the same message for it.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { openMysqlStore } from '../../src/adapters/store/mysql.js';
import { openPostgresStore } from '../../src/adapters/store/postgres.js';
import { singleConversationId } from '../../src/domain/conversation.js';
import type { NewMessage } from '../../src/domain/message.js';
import type { Store } from '../../src/ports/store.js';
import { createMysqlDatabase, dropMysqlDatabase } from '../support/mariadb-server.js';
import { createDatabase } from '../support/postgres-server.js';
import { user } from './store.contract.js';

const WRITER = fileURLToPath(new URL('../fixtures/append-writer.mjs', import.meta.url));
const KEYS = 240;
const BATCH = 12;

interface Appended {
  readonly key: string;
  readonly id: string;
  readonly seq: number;
  readonly conversationId: string;
  readonly duplicate: boolean;
}

interface Engine {
  readonly name: 'postgres' | 'mysql';
  newDatabase(): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  open(url: string, poolSize: number): Store;
}

const ENGINES: Engine[] = [
  {
    name: 'postgres',
    newDatabase: () => createDatabase(inject('postgresUrl')),
    dropDatabase: async () => {},
    open: (url, poolSize) => openPostgresStore({ url, poolSize }),
  },
  {
    name: 'mysql',
    newDatabase: () => createMysqlDatabase(inject('mariadbUrl')),
    dropDatabase: dropMysqlDatabase,
    open: (url, poolSize) => openMysqlStore({ url, poolSize }),
  },
];

describe.each(ENGINES)('concurrent writers on one conversation: $name', (engine) => {
  let url: string;
  let store: Store;
  let senders: [string, string];
  let conversations: [string, string];

  beforeEach(async () => {
    url = await engine.newDatabase();
    store = engine.open(url, 2);
    await store.migrate();
    const [a, b, c] = [user(), user(), user()];
    for (const u of [a, b, c]) await store.users.insert(u);
    senders = [a.id, b.id];
    conversations = [singleConversationId(a.id, b.id), `g_writers_${a.id}`];
    await store.conversations.ensure(
      { id: conversations[0], type: 'single', name: '', createdAt: 1 },
      [a.id, b.id],
    );
    await store.conversations.ensure(
      { id: conversations[1], type: 'group', name: '', createdAt: 1 },
      [a.id, b.id, c.id],
    );
  });
  afterEach(async () => {
    await store.close();
    await engine.dropDatabase(url);
  });

  /**
   * Every writer sends all KEYS keys (to two conversations, so batches lock both), starting at
   * its own offset: batches of different writers overlap in their keys and in lock order.
   */
  function batchesOf(writer: number, writers: number): NewMessage[][] {
    const start = Math.floor((writer * KEYS) / writers);
    const messages = Array.from({ length: KEYS }, (_, n): NewMessage => {
      const i = (start + n) % KEYS;
      return {
        id: `m${writer}w${i.toString().padStart(4, '0')}`,
        conversationId: conversations[i % 3 === 0 ? 1 : 0],
        senderId: senders[(i % 2) as 0 | 1],
        clientMsgId: `k${i}`,
        type: 'text',
        content: JSON.stringify({ text: `writer ${writer} key ${i}` }),
        status: 'sent',
        createdAt: 1_000 + n,
      };
    });
    const batches: NewMessage[][] = [];
    for (let i = 0; i < messages.length; i += BATCH) batches.push(messages.slice(i, i + BATCH));
    return batches;
  }

  async function appendAll(writer: Store, batches: NewMessage[][], inFlight: number) {
    const results: Appended[] = [];
    let next = 0;
    const lane = async () => {
      while (next < batches.length) {
        const batch = batches[next++] as NewMessage[];
        const appended = await writer.messages.appendBatch(batch);
        appended.forEach((r, i) => {
          const m = batch[i] as NewMessage;
          results.push({
            key: `${m.senderId}/${m.clientMsgId}`,
            id: r.message.id,
            seq: r.message.seq,
            conversationId: r.message.conversationId,
            duplicate: r.duplicate,
          });
        });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
    return results;
  }

  async function expectEachKeyOnce(results: readonly Appended[]) {
    const stored = new Map<string, { id: string; seq: number; conversationId: string }>();
    for (const conversationId of conversations) {
      const page = await store.messages.history({ conversationId, afterSeq: 0, limit: KEYS + 1 });
      const seqs = page.messages.map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      expect((await store.conversations.find(conversationId))?.maxSeq).toBe(seqs.length);
      for (const m of page.messages) {
        const key = `${m.senderId}/${m.clientMsgId}`;
        expect(stored.has(key), `${key} stored twice`).toBe(false);
        stored.set(key, { id: m.id, seq: m.seq, conversationId });
      }
    }
    expect(stored.size).toBe(KEYS);

    const byKey = new Map<string, Appended[]>();
    for (const r of results) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
    expect(byKey.size).toBe(KEYS);
    for (const [key, answers] of byKey) {
      const original = stored.get(key);
      for (const answer of answers) {
        expect({ key, id: answer.id, seq: answer.seq, c: answer.conversationId }).toEqual({
          key,
          id: original?.id,
          seq: original?.seq,
          c: original?.conversationId,
        });
      }
      expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    }
  }

  it('several stores, each with its own pool, append the same keys at once', async () => {
    const writers = Array.from({ length: 4 }, () => engine.open(url, 3));
    try {
      const results = await Promise.all(
        writers.map((writer, w) => appendAll(writer, batchesOf(w, writers.length), 3)),
      );
      await expectEachKeyOnce(results.flat());
    } finally {
      await Promise.all(writers.map((w) => w.close()));
    }
  });

  it('two writer processes append the same keys at once', async () => {
    const children = [0, 1].map((w) =>
      startWriter({ engine: engine.name, url, batches: batchesOf(w, 2), inFlight: 4 }),
    );
    try {
      await Promise.all(children.map((c) => c.ready));
      for (const child of children) child.go();
      const results = await Promise.all(children.map((c) => c.results));
      await expectEachKeyOnce(results.flat());
    } finally {
      for (const child of children) child.kill();
    }
  });
});

interface WriterProcess {
  readonly ready: Promise<void>;
  readonly results: Promise<Appended[]>;
  go(): void;
  kill(): void;
}

/** A child Node process running test/fixtures/append-writer.mjs on its own store. */
function startWriter(job: {
  engine: string;
  url: string;
  batches: NewMessage[][];
  inFlight: number;
}): WriterProcess {
  const child = spawn(process.execPath, [WRITER], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const failed = () => new Error(`The writer process ended early:\n${stderr}`);
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'READY' && resolve());
    void exited.then(() => reject(failed()));
  });
  const results = new Promise<Appended[]>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('RESULTS ')) resolve(JSON.parse(line.slice(8)) as Appended[]);
    });
    void exited.then(() => reject(failed()));
  });
  // Either may never be awaited when the other fails first.
  ready.catch(() => {});
  results.catch(() => {});
  child.stdin.write(`${JSON.stringify(job)}\n`);
  return {
    ready,
    results,
    go: () => child.stdin.write('go\n'),
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
