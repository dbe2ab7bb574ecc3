/** Bridge grants and the account list (seed 001, BRIDGE.md), run against every engine. */
import { describe, expect, it } from 'vitest';
import { storeForEachCase, type StoreHarness } from './store.contract.js';

let serial = 0;
const uniq = () => `${Date.now().toString(36)}${(serial++).toString(36).padStart(4, '0')}`;

export function describeBridgeGrantsContract(
  engine: string,
  makeHarness: () => Promise<StoreHarness>,
) {
  describe(`Store contract, bridge grants: ${engine}`, () => {
    const store = storeForEachCase(makeHarness);

    it('grants a user an account once, and only that account', async () => {
      const [account, other, user] = [`a${uniq()}`, `a${uniq()}`, `u${uniq()}`];
      expect(await store().bridgeGrants.isGranted(account, user)).toBe(false);
      expect(await store().bridgeGrants.grant(account, user, 1)).toBe(true);
      expect(await store().bridgeGrants.grant(account, user, 2)).toBe(false);
      expect(await store().bridgeGrants.isGranted(account, user)).toBe(true);
      expect(await store().bridgeGrants.isGranted(other, user)).toBe(false);
      expect(await store().bridgeGrants.isGranted(account, `u${uniq()}`)).toBe(false);
    });

    it('grants racing for the same pair: exactly one reports the grant', async () => {
      const [account, user] = [`a${uniq()}`, `u${uniq()}`];
      const results = await Promise.all(
        Array.from({ length: 4 }, () => store().bridgeGrants.grant(account, user, 1)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('revokes one grant once, leaving the other users and accounts alone', async () => {
      const [account, other, user, peer] = [`a${uniq()}`, `a${uniq()}`, `u${uniq()}`, `u${uniq()}`];
      const grants = store().bridgeGrants;
      expect(await grants.revoke(account, user)).toBe(false);
      await grants.grant(account, user, 1);
      await grants.grant(account, peer, 1);
      await grants.grant(other, user, 1);
      expect(await grants.revoke(account, user)).toBe(true);
      expect(await grants.revoke(account, user)).toBe(false);
      expect(await grants.isGranted(account, user)).toBe(false);
      expect(await grants.isGranted(account, peer)).toBe(true);
      expect(await grants.isGranted(other, user)).toBe(true);
      // Granted again after a withdrawal: a new grant, as the first one was.
      expect(await grants.grant(account, user, 2)).toBe(true);
      expect(await grants.isGranted(account, user)).toBe(true);
    });

    it('revokes racing for the same pair: exactly one reports the withdrawal', async () => {
      const [account, user] = [`a${uniq()}`, `u${uniq()}`];
      await store().bridgeGrants.grant(account, user, 1);
      const results = await Promise.all(
        Array.from({ length: 4 }, () => store().bridgeGrants.revoke(account, user)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store().bridgeGrants.isGranted(account, user)).toBe(false);
    });

    it('lists the accounts, all or those of one account id across platforms', async () => {
      const account = `a${uniq()}`;
      const apply = (platform: string, accountId: string, at: number) =>
        store().bridgeItems.apply(
          { platform, accountId, mode: 'delta', timestamp: at, items: {} },
          at + 1,
        );
      await apply('douyin', account, 10);
      await apply('kuaishou', account, 20);
      await apply('douyin', `b${uniq()}`, 30);
      const mine = await store().bridgeItems.listAccounts(account);
      expect(mine).toEqual([
        {
          platform: 'douyin',
          accountId: account,
          lastSyncAt: 11,
          lastTimestamp: 10,
          ownerTokenId: null,
        },
        {
          platform: 'kuaishou',
          accountId: account,
          lastSyncAt: 21,
          lastTimestamp: 20,
          ownerTokenId: null,
        },
      ]);
      const all = await store().bridgeItems.listAccounts();
      expect(all.filter((a) => a.accountId === account)).toEqual(mine);
      expect(all.length).toBeGreaterThanOrEqual(3);
    });
  });
}
