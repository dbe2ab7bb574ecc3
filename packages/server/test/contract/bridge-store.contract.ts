/** The bridge part of the Store contract (seed 001, BRIDGE.md), run against every engine. */
import { describe, expect, it } from 'vitest';
import type {
  BridgeBatch,
  BridgeItemInput,
  BridgeItemRecord,
  BridgeMode,
} from '../../src/ports/bridge-store.js';
import type { Store } from '../../src/ports/store.js';
import { storeForEachCase, type StoreHarness } from './store.contract.js';

let serial = 0;
const uniq = () => `${Date.now().toString(36)}${(serial++).toString(36).padStart(4, '0')}`;

const msg = (
  id: string,
  text: string,
  createdAt = 1_000,
  conversationId = 'c1',
): BridgeItemInput => ({
  itemId: id,
  raw: JSON.stringify({ id, messageId: id, content: text, createdAt, extra: { kept: true } }),
  createdAt,
  conversationId,
});

function batch(
  accountId: string,
  timestamp: number,
  messages: BridgeItemInput[] | undefined,
  mode: BridgeMode = 'snapshot',
): BridgeBatch {
  return {
    platform: 'douyin',
    accountId,
    mode,
    timestamp,
    items: messages === undefined ? {} : { message: messages },
  };
}

const ids = (items: readonly BridgeItemRecord[]) => items.map((i) => i.itemId);

/** Live worker tokens with these ids (each its own name), for accounts to be claimed by. */
export async function insertLiveWorkerTokens(store: Store, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    await store.workerTokens.insert({
      id,
      name: id,
      tokenHash: `h${id}`,
      createdAt: 1,
      revokedAt: null,
    });
  }
}

export function describeBridgeStoreContract(
  engine: string,
  makeHarness: () => Promise<StoreHarness>,
) {
  describe(`Store contract, bridges: ${engine}`, () => {
    const store = storeForEachCase(makeHarness);

    const all = (accountId: string, includeDeleted = false) =>
      store().bridgeItems.list({ accountId, kinds: ['message'], includeDeleted, limit: 100 });

    it('inserts, keeps the raw item, and changes nothing when the same batch comes twice', async () => {
      const account = `a${uniq()}`;
      const items = [msg('m1', 'hi'), msg('m2', 'there', 2_000)];
      const first = await store().bridgeItems.apply(batch(account, 100, items), 5);
      expect(first.stats.message).toEqual({ inserted: 2, updated: 0, deleted: 0, unchanged: 0 });
      expect(ids(first.changed)).toEqual(['m1', 'm2']);
      const again = await store().bridgeItems.apply(batch(account, 100, items), 6);
      expect(again.stats.message).toEqual({ inserted: 0, updated: 0, deleted: 0, unchanged: 2 });
      expect(again.changed).toEqual([]);
      const stored = await store().bridgeItems.find('douyin', account, 'message', 'm1');
      expect(stored).toMatchObject({ raw: items[0]!.raw, sortTime: 1_000, itemTime: 100 });
      expect(JSON.parse(stored!.raw)).toMatchObject({ extra: { kept: true } });
      expect(await store().bridgeItems.findAccount('douyin', account)).toEqual({
        platform: 'douyin',
        accountId: account,
        lastSyncAt: 6,
        lastTimestamp: 100,
        ownerTokenId: null,
      });
    });

    it('keeps items of other platforms, accounts and kinds apart', async () => {
      const account = `a${uniq()}`;
      await store().bridgeItems.apply(batch(account, 100, [msg('x', 'one')]), 1);
      await store().bridgeItems.apply(
        { ...batch(account, 100, [msg('x', 'two')]), platform: 'tiktok' },
        1,
      );
      await store().bridgeItems.apply(
        { ...batch(account, 100, undefined), items: { comment: [msg('x', 'three')] } },
        1,
      );
      expect(ids(await all(account))).toEqual(['x', 'x']);
      const comments = await store().bridgeItems.list({
        accountId: account,
        kinds: ['comment'],
        limit: 10,
      });
      expect(comments.map((c) => [c.platform, c.kind])).toEqual([['douyin', 'comment']]);
      expect(await all(`a${uniq()}`)).toEqual([]);
    });

    it('marks deleted the items a snapshot leaves out, keeps them, and revives them', async () => {
      const account = `a${uniq()}`;
      await store().bridgeItems.apply(batch(account, 100, [msg('m1', 'a'), msg('m2', 'b')]), 1);
      const second = await store().bridgeItems.apply(batch(account, 200, [msg('m2', 'b')]), 2);
      expect(second.stats.message).toEqual({ inserted: 0, updated: 0, deleted: 1, unchanged: 1 });
      expect(second.changed).toMatchObject([{ itemId: 'm1', deletedAt: 2 }]);
      expect(ids(await all(account))).toEqual(['m2']);
      expect(ids(await all(account, true))).toEqual(['m1', 'm2']);
      const revived = await store().bridgeItems.apply(
        batch(account, 300, [msg('m1', 'a')], 'delta'),
        3,
      );
      expect(revived.stats.message).toMatchObject({ updated: 1 });
      expect(ids(await all(account))).toEqual(['m1', 'm2']);
    });

    it('replaces only the kinds a snapshot carries; a delta deletes nothing', async () => {
      const account = `a${uniq()}`;
      await store().bridgeItems.apply(
        {
          ...batch(account, 100, [msg('m1', 'a')]),
          items: { message: [msg('m1', 'a')], comment: [msg('k1', 'c')] },
        },
        1,
      );
      await store().bridgeItems.apply(batch(account, 200, [msg('m2', 'b')]), 2);
      const comments = await store().bridgeItems.list({
        accountId: account,
        kinds: ['comment'],
        limit: 10,
      });
      expect(ids(comments)).toEqual(['k1']);
      const delta = await store().bridgeItems.apply(
        batch(account, 300, [msg('m3', 'c', 3_000)], 'delta'),
        3,
      );
      expect(delta.stats.message).toEqual({ inserted: 1, updated: 0, deleted: 0, unchanged: 0 });
      expect(ids(await all(account))).toEqual(['m2', 'm3']);
    });

    it('does not let an older batch overwrite or delete what a newer one wrote', async () => {
      const account = `a${uniq()}`;
      await store().bridgeItems.apply(batch(account, 100, [msg('m1', 'old'), msg('m2', 'b')]), 1);
      await store().bridgeItems.apply(
        batch(account, 300, [msg('m1', 'new'), msg('m2', 'b'), msg('m3', 'c')]),
        2,
      );
      // The snapshot of time 200 arrives late: it knows neither m1's new text nor m3.
      const late = await store().bridgeItems.apply(batch(account, 200, [msg('m1', 'old')]), 3);
      expect(late.stats.message).toEqual({ inserted: 0, updated: 0, deleted: 0, unchanged: 1 });
      expect(late.changed).toEqual([]);
      const m1 = await store().bridgeItems.find('douyin', account, 'message', 'm1');
      expect(JSON.parse(m1!.raw)).toMatchObject({ content: 'new' });
      expect(ids(await all(account))).toEqual(['m1', 'm2', 'm3']);
      expect((await store().bridgeItems.findAccount('douyin', account))?.lastTimestamp).toBe(300);
      // A newer batch that only confirms an item still protects it from an older snapshot.
      await store().bridgeItems.apply(
        batch(account, 500, [msg('m1', 'new'), msg('m2', 'b'), msg('m3', 'c')]),
        4,
      );
      await store().bridgeItems.apply(batch(account, 400, [msg('m3', 'c')]), 5);
      expect(ids(await all(account))).toEqual(['m1', 'm2', 'm3']);
    });

    it('takes the last copy of an id listed twice in one batch', async () => {
      const account = `a${uniq()}`;
      const result = await store().bridgeItems.apply(
        batch(account, 100, [msg('m1', 'a'), msg('m1', 'b')]),
        1,
      );
      expect(result.stats.message).toMatchObject({ inserted: 1 });
      const m1 = await store().bridgeItems.find('douyin', account, 'message', 'm1');
      expect(JSON.parse(m1!.raw)).toMatchObject({ content: 'b' });
    });

    it('pages by keyset in both directions with the filters', async () => {
      const account = `a${uniq()}`;
      const items = Array.from({ length: 25 }, (_, i) =>
        msg(
          `m${String(i).padStart(2, '0')}`,
          't',
          1_000 + Math.floor(i / 3),
          i % 2 === 0 ? 'even' : 'odd',
        ),
      );
      await store().bridgeItems.apply(batch(account, 100, items), 1);
      const walk = async (order: 'asc' | 'desc', conversationId?: string) => {
        const seen: string[] = [];
        let after: BridgeItemRecord | undefined;
        for (;;) {
          const page = await store().bridgeItems.list({
            accountId: account,
            kinds: ['message'],
            order,
            limit: 4,
            ...(conversationId !== undefined && { conversationId }),
            ...(after !== undefined && { after }),
          });
          seen.push(...ids(page));
          if (page.length < 4) return seen;
          after = page.at(-1);
        }
      };
      const expected = items.map((i) => i.itemId);
      expect(await walk('asc')).toEqual(expected);
      expect(await walk('desc')).toEqual([...expected].reverse());
      expect(await walk('asc', 'even')).toEqual(expected.filter((_, i) => i % 2 === 0));
      const since = await store().bridgeItems.list({
        accountId: account,
        kinds: ['message'],
        sinceTime: 1_007,
        limit: 100,
      });
      expect(ids(since)).toEqual(['m21', 'm22', 'm23', 'm24']);
    });

    it('walks every item exactly once while new and updated items land between pages', async () => {
      const account = `a${uniq()}`;
      const initial = Array.from({ length: 30 }, (_, i) =>
        msg(`m${String(i).padStart(2, '0')}`, 'v1', 1_000 + i),
      );
      await store().bridgeItems.apply(batch(account, 100, initial), 1);
      const seen: string[] = [];
      let after: BridgeItemRecord | undefined;
      for (let round = 0; ; round++) {
        const page = await store().bridgeItems.list({
          accountId: account,
          kinds: ['message'],
          limit: 7,
          ...(after !== undefined && { after }),
        });
        seen.push(...ids(page));
        if (page.length < 7) break;
        after = page.at(-1);
        // Every item rewritten with a changed createdAt, plus new ones: nothing moves.
        const rewritten = initial.map((i) => ({
          ...msg(i.itemId, `v${round + 2}`, 9_000 - i.createdAt),
        }));
        await store().bridgeItems.apply(
          batch(account, 200 + round, [...rewritten, msg(`n${round}`, 'x', 5_000)], 'delta'),
          2,
        );
      }
      expect(seen.filter((id) => id.startsWith('m'))).toEqual(initial.map((i) => i.itemId));
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('applies a 10,000-item snapshot in one transaction', async () => {
      const account = `a${uniq()}`;
      const items = Array.from({ length: 10_000 }, (_, i) => msg(`m${i}`, 'x', i));
      const first = await store().bridgeItems.apply(batch(account, 100, items), 1);
      expect(first.stats.message?.inserted).toBe(10_000);
      const next = await store().bridgeItems.apply(batch(account, 200, items.slice(1)), 2);
      expect(next.stats.message).toEqual({ inserted: 0, updated: 0, deleted: 1, unchanged: 9_999 });
      // A batch inside a failing transaction leaves nothing behind: it joins the transaction,
      // or (SQLite, whose bridge items are in a file of their own) it is refused outright.
      const other = `a${uniq()}`;
      await expect(
        store().transaction(async (repos) => {
          await repos.bridgeItems.apply(batch(other, 100, items.slice(0, 10)), 1);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow(/rolled back|cannot be part of a Store transaction/);
      expect(await all(other)).toEqual([]);
      expect(await store().bridgeItems.findAccount('douyin', other)).toBeUndefined();
    }, 120_000);

    it('applies concurrent batches of one account one after the other', async () => {
      const account = `a${uniq()}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store().bridgeItems.apply(
            batch(account, 100 + i, [msg('m1', `v${i}`), msg(`k${i}`, 'x')], 'delta'),
            i,
          ),
        ),
      );
      expect(results.reduce((n, r) => n + (r.stats.message?.inserted ?? 0), 0)).toBe(9);
      const m1 = await store().bridgeItems.find('douyin', account, 'message', 'm1');
      expect(JSON.parse(m1!.raw)).toMatchObject({ content: 'v7' });
    });

    it('gives an account to the first worker token, and to the next once that is revoked', async () => {
      const account = `a${uniq()}`;
      const [first, second] = [`wt${uniq()}`, `wt${uniq()}`];
      await insertLiveWorkerTokens(store(), [first, second]);
      const racing = await Promise.all([
        store().bridgeItems.claimAccount('douyin', account, first, 1),
        store().bridgeItems.claimAccount('douyin', account, second, 1),
      ]);
      const winner = racing[0];
      expect(racing).toEqual([winner, winner]);
      const loser = winner === first ? second : first;
      expect(await store().bridgeItems.claimAccount('douyin', account, loser, 2)).toBe(winner);
      await store().bridgeItems.apply(batch(account, 100, [msg('m1', 'a')]), 3);
      expect((await store().bridgeItems.findAccount('douyin', account))?.ownerTokenId).toBe(winner);
      await store().workerTokens.revoke(winner, 4);
      expect(await store().bridgeItems.claimAccount('douyin', account, loser, 5)).toBe(loser);
      expect(await store().bridgeItems.claimAccount('douyin', `a${uniq()}`, winner, 6)).toBe(
        winner,
      );
    });

    it('stores worker tokens by hash, lists them, and revokes once', async () => {
      const id = `wt${uniq()}`;
      const hash = `h${uniq()}`;
      await store().workerTokens.insert({
        id,
        name: 'crawler',
        tokenHash: hash,
        createdAt: 5,
        revokedAt: null,
      });
      expect(await store().workerTokens.findByHash(hash)).toEqual({
        id,
        name: 'crawler',
        tokenHash: hash,
        createdAt: 5,
        revokedAt: null,
      });
      expect((await store().workerTokens.list()).map((t) => t.id)).toContain(id);
      expect(await store().workerTokens.revoke(id, 9)).toBe(true);
      expect(await store().workerTokens.revoke(id, 10)).toBe(false);
      expect((await store().workerTokens.findByHash(hash))?.revokedAt).toBe(9);
      expect(await store().workerTokens.findByHash('nope')).toBeUndefined();
    });
  });
}
