/** Moving a bridge account to another worker token (an operator's act; see bridge-store.ts). */
import type { Kysely } from 'kysely';
import type { SetAccountOwnerResult } from '../../ports/bridge-store.js';
import { inTransaction } from './rows.js';
import type { Database } from './schema.js';

/**
 * In one transaction that first writes the account's row: that write locks the row on
 * PostgreSQL and MySQL (a batch of the account, a claim or another move waits for the commit),
 * and on SQLite takes the file's write lock before anything is read, so the reads that follow
 * cannot be overtaken by another connection's commit (the ingest thread's writer).
 * On SQLite `db` is the bridges.db writer, which attaches parley.db: `worker_tokens` is found
 * there, as `claimAccount` finds it.
 */
export function setAccountOwner(
  db: Kysely<Database>,
  platform: string,
  accountId: string,
  tokenId: string,
): Promise<SetAccountOwnerResult> {
  return inTransaction(db, async (trx) => {
    const update = () =>
      trx
        .updateTable('bridge_accounts')
        .where('platform', '=', platform)
        .where('account_id', '=', accountId);
    await update()
      .set((eb) => ({ owner_token_id: eb.ref('owner_token_id') }))
      .execute();
    const row = await trx
      .selectFrom('bridge_accounts')
      .select('owner_token_id')
      .where('platform', '=', platform)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (row === undefined) return { outcome: 'no-account' };
    const live = await trx
      .selectFrom('worker_tokens')
      .select('id')
      .where('id', '=', tokenId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (live === undefined) return { outcome: 'no-live-token' };
    const previous = row.owner_token_id;
    if (previous !== tokenId) {
      await update().set({ owner_token_id: tokenId }).execute();
    }
    return { outcome: 'set', previousOwnerTokenId: previous, ownerTokenId: tokenId };
  });
}
