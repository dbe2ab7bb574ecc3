import { describe, expect, it } from 'vitest';
import type {
  BridgeAccountPage,
  BridgeAccountRecord,
  SetAccountOwnerResult,
  WorkerTokenRecord,
} from '../../ports/bridge-store.js';
import { BridgeAccountService } from './bridge-accounts.js';

const account = (accountId: string, ownerTokenId: string | null): BridgeAccountRecord => ({
  platform: 'douyin',
  accountId,
  lastSyncAt: 10,
  lastTimestamp: 5,
  ownerTokenId,
});

const token = (id: string, revokedAt: number | null = null): WorkerTokenRecord => ({
  id,
  name: `name-${id}`,
  tokenHash: `h${id}`,
  createdAt: 1,
  revokedAt,
});

function service(rows: BridgeAccountRecord[], result?: SetAccountOwnerResult) {
  const pages: (BridgeAccountPage | undefined)[] = [];
  const accounts = new BridgeAccountService({
    items: {
      listAccounts: async (_accountId, page) => {
        pages.push(page);
        return rows.slice(0, page?.limit);
      },
      setAccountOwner: async () => result ?? { outcome: 'no-account' },
    },
    tokens: { list: async () => [token('t1'), token('t2', 99)] },
  });
  return { accounts, pages };
}

describe('BridgeAccountService', () => {
  it("pages the accounts with their owners' names, one row read ahead", async () => {
    const rows = [account('a', 't1'), account('b', 't2'), account('c', null), account('d', 'x')];
    const { accounts, pages } = service(rows);
    const first = await accounts.list(undefined, 3);
    expect(pages).toEqual([{ limit: 4 }]);
    expect(first.next).toEqual({ platform: 'douyin', accountId: 'c' });
    expect(first.accounts.map((a) => a.owner)).toEqual([
      { id: 't1', name: 'name-t1', revokedAt: null },
      { id: 't2', name: 'name-t2', revokedAt: 99 },
      null,
    ]);
    const all = await accounts.list({ platform: 'douyin', accountId: '' });
    expect(pages[1]).toEqual({ after: { platform: 'douyin', accountId: '' }, limit: 51 });
    expect(all.next).toBeNull();
    // An owner the token list does not know (never in practice): its id, no name.
    expect(all.accounts[3]?.owner).toEqual({ id: 'x', name: null, revokedAt: null });
    await expect(accounts.list(undefined, 101)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('answers a move, and says which of the account or the token is unknown', async () => {
    const moved = await service([], {
      outcome: 'set',
      previousOwnerTokenId: 't1',
      ownerTokenId: 't2',
    }).accounts.assignOwner('douyin', 'a', 't2');
    expect(moved).toEqual({
      platform: 'douyin',
      accountId: 'a',
      ownerTokenId: 't2',
      previousOwnerTokenId: 't1',
    });
    await expect(service([]).accounts.assignOwner('douyin', 'a', 't2')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      reason: 'BRIDGE_ACCOUNT_NOT_FOUND',
    });
    await expect(
      service([], { outcome: 'no-live-token' }).accounts.assignOwner('douyin', 'a', 't9'),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      reason: 'WORKER_TOKEN_NOT_FOUND',
      details: { field: 'worker_token_id' },
    });
  });
});
