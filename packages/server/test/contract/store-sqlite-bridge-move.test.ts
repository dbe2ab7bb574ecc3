/**
 * A data directory left by a Parley older than bridges.db has its bridge accounts and items in
 * parley.db. Opening the SQLite store moves them into bridges.db, once, keeping what bridges.db
 * already holds, and never leaves half a move behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  BridgeAccountsTable,
  BridgeItemsTable,
} from '../../src/adapters/store/bridge-schema.js';
import type { KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { SQLITE_BRIDGE_FILE } from '../../src/adapters/store/sqlite-bridge-file.js';
import type { BridgeDataMoved } from '../../src/adapters/store/sqlite-bridge-move.js';
import { SQLITE_FILE, openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { BridgeAccountRecord, BridgeItemRecord } from '../../src/ports/bridge-store.js';

const accountRow = (
  platform: string,
  accountId: string,
  lastSyncAt: number,
  ownerTokenId: string | null,
): BridgeAccountsTable => ({
  platform,
  account_id: accountId,
  last_sync_at: lastSyncAt,
  last_timestamp: lastSyncAt + 1,
  owner_token_id: ownerTokenId,
});

const OLD_ACCOUNTS: BridgeAccountsTable[] = [
  accountRow('douyin', 'acc-1', 10, 'old-tok'), // also in bridges.db: that copy wins
  accountRow('douyin', 'acc-2', 20, null),
  accountRow('kuaishou', 'acc-1', 30, 'tok-k'),
];

const item = (
  platform: string,
  accountId: string,
  kind: string,
  itemId: string,
  rest: Partial<BridgeItemsTable> = {},
): BridgeItemsTable => ({
  platform,
  account_id: accountId,
  kind,
  item_id: itemId,
  raw: JSON.stringify({ id: itemId, content: `old ${itemId}`, extra: { kept: true } }),
  conversation_id: kind === 'message' ? 'c1' : null,
  sort_time: 1_000,
  item_time: 100,
  deleted_at: null,
  synced_at: 5,
  ...rest,
});

const OLD_ITEMS: BridgeItemsTable[] = [
  // Also in bridges.db, with other content: that copy wins.
  item('douyin', 'acc-1', 'message', 'm1', { raw: '{"id":"m1","content":"old"}' }),
  item('douyin', 'acc-1', 'message', 'm2', { sort_time: 2_000, conversation_id: 'c2' }),
  item('douyin', 'acc-1', 'message', 'm3', { sort_time: 3_000, deleted_at: 7, item_time: 150 }),
  item('douyin', 'acc-1', 'conversation', 'c1', { sort_time: 900 }),
  item('douyin', 'acc-2', 'comment', 'k1', { sort_time: 4_000, synced_at: 9 }),
  item('kuaishou', 'acc-1', 'content', 'p1', { sort_time: 5_000 }),
  item('kuaishou', 'acc-1', 'notification', 'n1', { sort_time: 6_000, item_time: 200 }),
];

/** The record the store should read for a row moved from parley.db. */
const record = (r: BridgeItemsTable): BridgeItemRecord => ({
  platform: r.platform,
  accountId: r.account_id,
  kind: r.kind as BridgeItemRecord['kind'],
  itemId: r.item_id,
  raw: r.raw,
  conversationId: r.conversation_id,
  sortTime: r.sort_time,
  itemTime: r.item_time,
  deletedAt: r.deleted_at,
  syncedAt: r.synced_at,
});

const account = (r: BridgeAccountsTable): BridgeAccountRecord => ({
  platform: r.platform,
  accountId: r.account_id,
  lastSyncAt: r.last_sync_at,
  lastTimestamp: r.last_timestamp,
  ownerTokenId: r.owner_token_id,
});

const ITEM_COLUMNS = Object.keys(OLD_ITEMS[0]!);
const ACCOUNT_COLUMNS = Object.keys(OLD_ACCOUNTS[0]!);

function insertRows(db: BetterSqlite3.Database, table: string, columns: string[], rows: object[]) {
  // Named parameters: the columns in whatever order the table lists them.
  const insert = db.prepare(
    `insert into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  for (const row of rows) insert.run(row);
}

/** The rows of a file's two bridge tables, read with a connection of their own. */
function tables(file: string): { accounts: unknown[]; items: unknown[] } {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const all = (table: string) => db.prepare(`select * from ${table} order by 1, 2, 3`).all();
    return { accounts: all('bridge_accounts'), items: all('bridge_items') };
  } finally {
    db.close();
  }
}

const EMPTY = { accounts: [], items: [] };

describe('SQLite store: bridge data an older Parley kept in parley.db', () => {
  let dir: string;
  let store: KyselyStore | undefined;
  let moves: BridgeDataMoved[];
  let written: BridgeItemRecord;
  let writtenAccount: BridgeAccountRecord;

  const open = () => {
    store = openSqliteStore(dir, { onBridgeDataMoved: (moved) => moves.push(moved) });
    return store;
  };
  const close = async () => {
    await store?.close();
    store = undefined;
  };
  const main = () => join(dir, SQLITE_FILE);
  const bridges = () => join(dir, SQLITE_BRIDGE_FILE);

  /** What the store shows of every account and item, deleted items too. */
  async function everything(s: KyselyStore) {
    const accounts = await s.bridgeItems.listAccounts();
    const items: BridgeItemRecord[] = [];
    for (const a of accounts) {
      const page = await s.bridgeItems.list({
        accountId: a.accountId,
        platform: a.platform,
        kinds: ['conversation', 'message', 'comment', 'content', 'notification'],
        includeDeleted: true,
        limit: 100,
      });
      items.push(...page);
    }
    return { accounts, items };
  }

  /** Every row of parley.db but the superseded item m1 reads as it was written there. */
  async function expectOldItemsIntact(s: KyselyStore) {
    for (const old of OLD_ITEMS.slice(1)) {
      const kind = old.kind as BridgeItemRecord['kind'];
      expect(await s.bridgeItems.find(old.platform, old.account_id, kind, old.item_id)).toEqual(
        record(old),
      );
    }
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-bridge-move-'));
    moves = [];
    // The way an older Parley left it: schemas in both files (the store opened once)...
    const s = open();
    await s.migrate();
    // ...an item and its account bridges.db has already (written after the upgrade)...
    await s.bridgeItems.apply(
      {
        platform: 'douyin',
        accountId: 'acc-1',
        mode: 'delta',
        timestamp: 500,
        items: {
          message: [
            {
              itemId: 'm1',
              raw: '{"id":"m1","content":"new"}',
              createdAt: 1_000,
              conversationId: 'c1',
            },
          ],
        },
      },
      600,
    );
    written = (await s.bridgeItems.find('douyin', 'acc-1', 'message', 'm1'))!;
    writtenAccount = (await s.bridgeItems.findAccount('douyin', 'acc-1'))!;
    await close();
    // ...and the bridge data of before, in parley.db's tables.
    const db = new BetterSqlite3(main());
    insertRows(db, 'bridge_accounts', ACCOUNT_COLUMNS, OLD_ACCOUNTS);
    insertRows(db, 'bridge_items', ITEM_COLUMNS, OLD_ITEMS);
    db.close();
    expect(moves).toEqual([]); // a new data directory: nothing to move, and no error
  });

  afterEach(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves every account and item into bridges.db, keeping what bridges.db had, once', async () => {
    const s = open();
    expect(moves).toEqual([{ accounts: 2, items: 6, superseded: 2 }]);

    expect(written).toMatchObject({
      raw: '{"id":"m1","content":"new"}',
      itemTime: 500,
      syncedAt: 600,
    });
    expect(await s.bridgeItems.find('douyin', 'acc-1', 'message', 'm1')).toEqual(written);
    await expectOldItemsIntact(s);
    expect(await s.bridgeItems.findAccount('douyin', 'acc-1')).toEqual(writtenAccount);
    expect(writtenAccount.lastSyncAt).toBe(600);
    expect(await s.bridgeItems.listAccounts()).toEqual([
      writtenAccount,
      account(OLD_ACCOUNTS[1]!),
      account(OLD_ACCOUNTS[2]!),
    ]);
    // Pages, in their order, deleted items left out unless asked for.
    const page = await s.bridgeItems.list({
      accountId: 'acc-1',
      platform: 'douyin',
      kinds: ['message'],
      limit: 10,
    });
    expect(page.map((i) => i.itemId)).toEqual(['m1', 'm2']);
    const byConversation = await s.bridgeItems.list({
      accountId: 'acc-1',
      kinds: ['message'],
      conversationId: 'c2',
      limit: 10,
    });
    expect(byConversation.map((i) => i.itemId)).toEqual(['m2']);

    expect(tables(main())).toEqual(EMPTY);

    const before = await everything(s);
    expect(before.items).toHaveLength(OLD_ITEMS.length);
    await close();
    const again = open();
    expect(moves).toHaveLength(1); // nothing to move the second time
    expect(await everything(again)).toEqual(before);
  });

  it('leaves everything in parley.db when the move fails midway, and finishes at the next open', async () => {
    const bridgesBefore = tables(bridges());
    const mainBefore = tables(main());
    expect(mainBefore.items).toHaveLength(OLD_ITEMS.length);
    // The accounts are in by the time this item is: the failure comes after some rows moved.
    const db = new BetterSqlite3(bridges());
    db.exec(`create trigger fail_move before insert on bridge_items when new.item_id = 'k1'
             begin select raise(abort, 'forced failure mid-move'); end`);
    db.close();

    expect(open).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /^Moving bridge accounts and items .*; parley.db still holds them$/,
        ),
        cause: expect.objectContaining({ message: 'forced failure mid-move' }),
      }),
    );
    store = undefined;
    expect(moves).toEqual([]);
    expect(tables(bridges())).toEqual(bridgesBefore);
    expect(tables(main())).toEqual(mainBefore);

    const fix = new BetterSqlite3(bridges());
    fix.exec('drop trigger fail_move');
    fix.close();
    const s = open();
    expect(moves).toEqual([{ accounts: 2, items: 6, superseded: 2 }]);
    await expectOldItemsIntact(s);
    expect(tables(main())).toEqual(EMPTY);
  });

  it('only empties parley.db when its rows reached bridges.db already (a crash between the commits of the two files)', async () => {
    // In WAL mode a transaction over two files commits one file, then the other.
    const db = new BetterSqlite3(bridges());
    db.prepare('attach database ? as parley').run(main());
    db.exec(`insert into main.bridge_accounts select * from parley.bridge_accounts where true on conflict do nothing;
             insert into main.bridge_items select * from parley.bridge_items where true on conflict do nothing`);
    db.close();
    const copied = tables(bridges());

    open();
    expect(moves).toEqual([
      { accounts: 0, items: 0, superseded: OLD_ACCOUNTS.length + OLD_ITEMS.length },
    ]);
    expect(tables(bridges())).toEqual(copied);
    expect(tables(main())).toEqual(EMPTY);
  });

  it('moves rows column by column, whatever order parley.db lists its columns in', async () => {
    const db = new BetterSqlite3(main());
    db.exec(`drop table bridge_items; drop table bridge_accounts;
             create table bridge_items (${[...ITEM_COLUMNS].reverse().join(', ')},
               primary key (platform, account_id, kind, item_id));
             create table bridge_accounts (${[...ACCOUNT_COLUMNS].reverse().join(', ')},
               primary key (platform, account_id))`);
    insertRows(db, 'bridge_accounts', ACCOUNT_COLUMNS, OLD_ACCOUNTS);
    insertRows(db, 'bridge_items', ITEM_COLUMNS, OLD_ITEMS);
    db.close();

    const s = open();
    expect(moves).toEqual([{ accounts: 2, items: 6, superseded: 2 }]);
    await expectOldItemsIntact(s);
    expect(await s.bridgeItems.findAccount('kuaishou', 'acc-1')).toEqual(account(OLD_ACCOUNTS[2]!));
  });
});
