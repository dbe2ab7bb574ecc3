/**
 * Which worker token owns a bridged account, and an operator moving it to another (seed 001),
 * and the paged account list: run against every engine.
 */
import { describe, expect, it } from 'vitest';
import { insertLiveWorkerTokens } from './bridge-store.contract.js';
import { storeForEachCase, type StoreHarness } from './store.contract.js';

let serial = 0;
const uniq = () => `${Date.now().toString(36)}${(serial++).toString(36).padStart(4, '0')}`;

export function describeBridgeAccountsContract(
  engine: string,
  makeHarness: () => Promise<StoreHarness>,
) {
  describe(`Store contract, bridge account owners: ${engine}`, () => {
    const store = storeForEachCase(makeHarness);

    /** Live worker tokens with fresh ids. */
    async function tokens(n: number): Promise<string[]> {
      const ids = Array.from({ length: n }, () => `wt${uniq()}`);
      await insertLiveWorkerTokens(store(), ids);
      return ids;
    }

    const synced = (platform: string, accountId: string, at = 10) =>
      store().bridgeItems.apply(
        { platform, accountId, mode: 'delta', timestamp: at, items: {} },
        at,
      );

    it('moves an account: the old owner claims it in vain, the new one holds it', async () => {
      const account = `a${uniq()}`;
      const [first, second] = await tokens(2);
      expect(await store().bridgeItems.claimAccount('douyin', account, first!, 1)).toBe(first);
      expect(await store().bridgeItems.setAccountOwner('douyin', account, second!)).toEqual({
        outcome: 'set',
        previousOwnerTokenId: first,
        ownerTokenId: second,
      });
      // claimAccount is what ingest asks before every batch: the old owner is told it is not.
      expect(await store().bridgeItems.claimAccount('douyin', account, first!, 2)).toBe(second);
      expect(await store().bridgeItems.claimAccount('douyin', account, second!, 3)).toBe(second);
      await synced('douyin', account, 4);
      expect((await store().bridgeItems.findAccount('douyin', account))?.ownerTokenId).toBe(second);
      // And back again: a move is not a one-way street.
      await store().bridgeItems.setAccountOwner('douyin', account, first!);
      expect(await store().bridgeItems.claimAccount('douyin', account, second!, 5)).toBe(first);
    });

    it('moving an account to its owner changes nothing, however often', async () => {
      const account = `a${uniq()}`;
      const [owner] = await tokens(1);
      await store().bridgeItems.claimAccount('douyin', account, owner!, 1);
      await synced('douyin', account, 7);
      const before = await store().bridgeItems.findAccount('douyin', account);
      for (let i = 0; i < 2; i++) {
        expect(await store().bridgeItems.setAccountOwner('douyin', account, owner!)).toEqual({
          outcome: 'set',
          previousOwnerTokenId: owner,
          ownerTokenId: owner,
        });
      }
      expect(await store().bridgeItems.findAccount('douyin', account)).toEqual(before);
    });

    it('gives an account that has no owner yet one', async () => {
      const account = `a${uniq()}`;
      const [owner, other] = await tokens(2);
      await synced('douyin', account);
      expect(await store().bridgeItems.setAccountOwner('douyin', account, owner!)).toEqual({
        outcome: 'set',
        previousOwnerTokenId: null,
        ownerTokenId: owner,
      });
      expect(await store().bridgeItems.claimAccount('douyin', account, other!, 2)).toBe(owner);
    });

    it('refuses an account never synced, and a token unknown or revoked', async () => {
      const account = `a${uniq()}`;
      const [owner, revoked] = await tokens(2);
      expect(await store().bridgeItems.setAccountOwner('douyin', account, owner!)).toEqual({
        outcome: 'no-account',
      });
      // Not created by the attempt, and an account of the same id elsewhere is another one.
      expect(await store().bridgeItems.findAccount('douyin', account)).toBeUndefined();
      await store().bridgeItems.claimAccount('kuaishou', account, owner!, 1);
      expect(await store().bridgeItems.setAccountOwner('douyin', account, owner!)).toEqual({
        outcome: 'no-account',
      });

      await store().workerTokens.revoke(revoked!, 2);
      for (const tokenId of [revoked!, `wt${uniq()}`]) {
        expect(await store().bridgeItems.setAccountOwner('kuaishou', account, tokenId)).toEqual({
          outcome: 'no-live-token',
        });
      }
      expect((await store().bridgeItems.findAccount('kuaishou', account))?.ownerTokenId).toBe(
        owner,
      );
    });

    it('moves racing for one account apply one after the other', async () => {
      const account = `a${uniq()}`;
      const [first, ...others] = await tokens(4);
      await store().bridgeItems.claimAccount('douyin', account, first!, 1);
      const results = await Promise.all(
        others.map((id) => store().bridgeItems.setAccountOwner('douyin', account, id)),
      );
      // Each move saw the owner the one before it left: a chain from `first` to the final one.
      const moves = new Map<string | null, string>();
      for (const result of results) {
        expect(result.outcome).toBe('set');
        if (result.outcome !== 'set') continue;
        moves.set(result.previousOwnerTokenId, result.ownerTokenId);
      }
      expect(moves.size).toBe(others.length);
      let owner: string | undefined = first;
      for (let i = 0; i < others.length; i++) owner = moves.get(owner ?? null);
      expect(owner).toBeDefined();
      expect((await store().bridgeItems.findAccount('douyin', account))?.ownerTokenId).toBe(owner);
    });

    it('lists the accounts a page at a time, by platform then account id', async () => {
      const platform = `p${uniq()}`;
      const names = ['b', 'a', 'c2', 'c10', 'd'].map((n) => `${n}${uniq()}`);
      for (const name of names) await synced(platform, name);
      await synced(`${platform}z`, names[0]!);
      const seen: string[] = [];
      let after = { platform, accountId: '' };
      for (let pages = 0; pages < 10; pages++) {
        const page = await store().bridgeItems.listAccounts(undefined, { after, limit: 2 });
        expect(page.length).toBeLessThanOrEqual(2);
        const mine = page.filter((a) => a.platform === platform);
        seen.push(...mine.map((a) => a.accountId));
        if (mine.length < page.length || page.length < 2) break;
        const last = page.at(-1)!;
        after = { platform: last.platform, accountId: last.accountId };
      }
      expect(seen).toEqual([...names].sort());
      // Only those of one account id, paged too.
      const one = await store().bridgeItems.listAccounts(names[0], { limit: 1 });
      expect(one.map((a) => a.platform)).toEqual([platform]);
      const rest = await store().bridgeItems.listAccounts(names[0], {
        after: { platform, accountId: names[0]! },
        limit: 5,
      });
      expect(rest.map((a) => a.platform)).toEqual([`${platform}z`]);
    });
  });
}
