import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import { BridgeSyncService, type SyncCommit } from '../../src/app/bridges/bridge-sync.js';
import {
  MAX_WAITING_PAYLOADS,
  ThreadedBridgeIngest,
} from '../../src/main/threaded-bridge-ingest.js';
import { LIST_OF_KIND } from '../../src/protocol/bridge-sync.js';
import { syncPayload, workerMessage } from '../support/bridge-fixture.js';

const body = (accountId: string, count: number, timestamp = 5_000) =>
  Buffer.from(
    JSON.stringify(
      syncPayload(accountId, timestamp, {
        messages: Array.from({ length: count }, (_, i) => workerMessage(accountId, `m${i}`, 'hi')),
      }),
    ),
  );

describe('ThreadedBridgeIngest (SQLite, in a thread of its own)', () => {
  let dir: string;
  let store: KyselyStore;
  let commits: SyncCommit[];
  let ingest: ThreadedBridgeIngest;
  let wanted: Set<string>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-ingest-'));
    store = openSqliteStore(dir);
    await store.migrate();
    const sync = new BridgeSyncService({
      items: store.bridgeItems,
      clock: new SystemClock(),
      listOfKind: LIST_OF_KIND,
    });
    commits = [];
    sync.onCommit((commit) => commits.push(commit));
    wanted = new Set();
    ingest = new ThreadedBridgeIngest({
      dataDir: dir,
      sync,
      logger: pino({ level: 'silent' }),
      wants: (accountId) => wanted.has(accountId),
    });
    await ingest.start();
  });

  afterEach(async () => {
    await ingest.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a payload, moves its bytes to the thread, and brings the changed items to a subscriber', async () => {
    wanted.add('acc-1');
    const bytes = body('acc-1', 300);
    const outcome = await ingest.ingest({ json: bytes }, 'wt-1');
    expect(outcome).toMatchObject({ ok: true, ack: { success: true, accountId: 'acc-1' } });
    expect(outcome.ok && outcome.ack.stats['messages']).toMatchObject({ inserted: 300 });
    // Transferred, not copied: the event loop's buffer is detached.
    expect(bytes.buffer.byteLength).toBe(0);
    expect(commits).toHaveLength(1);
    expect(commits[0]?.changedCount).toBe(300);
    expect(commits[0]?.changed().map((item) => item.itemId)).toContain('m299');
    // Committed in bridges.db, where the event loop's reader sees it.
    const stored = await store.bridgeItems.list({
      accountId: 'acc-1',
      kinds: ['message'],
      limit: 500,
    });
    expect(stored).toHaveLength(300);
  });

  it('leaves the changed items in the thread when nobody here follows the account', async () => {
    const outcome = await ingest.ingest({ json: body('acc-2', 5) }, 'wt-1');
    expect(outcome.ok).toBe(true);
    expect(commits[0]?.changedCount).toBe(5);
    expect(commits[0]?.changed()).toEqual([]);
  });

  it('refuses bad JSON, a bad payload and another token’s account, storing nothing', async () => {
    const bad = await ingest.ingest({ json: Buffer.from('{"accountId": ') }, 'wt-1');
    expect(bad).toEqual({
      ok: false,
      refusal: {
        code: 'INVALID_ARGUMENT',
        reason: 'INVALID_ARGUMENT',
        message: 'The body is not valid JSON.',
      },
    });
    const wrong = await ingest.ingest({ value: { accountId: 'acc-3' } }, 'wt-1');
    expect(wrong).toMatchObject({ ok: false, refusal: { code: 'INVALID_ARGUMENT' } });
    expect((await ingest.ingest({ json: body('acc-3', 2) }, 'wt-1')).ok).toBe(true);
    const taken = await ingest.ingest({ json: body('acc-3', 2, 6_000) }, 'wt-2');
    expect(taken).toMatchObject({ ok: false, refusal: { code: 'PERMISSION_DENIED' } });
    expect(commits).toHaveLength(1);
  });

  it(`answers UNAVAILABLE past ${MAX_WAITING_PAYLOADS} payloads waiting, and stores the others`, async () => {
    const outcomes = await Promise.all(
      Array.from({ length: MAX_WAITING_PAYLOADS + 4 }, (_, i) =>
        ingest.ingest({ json: body(`acc-busy-${i}`, 200) }, 'wt-1'),
      ),
    );
    const busy = outcomes.filter((o) => !o.ok);
    expect(busy).toHaveLength(4);
    expect(busy[0]).toMatchObject({ refusal: { code: 'UNAVAILABLE', reason: 'SERVER_BUSY' } });
    expect(outcomes.filter((o) => o.ok)).toHaveLength(MAX_WAITING_PAYLOADS);
  });

  it('answers UNAVAILABLE once stopped', async () => {
    await ingest.stop();
    const outcome = await ingest.ingest({ json: body('acc-4', 1) }, 'wt-1');
    expect(outcome).toMatchObject({ ok: false, refusal: { code: 'UNAVAILABLE' } });
  });
});
