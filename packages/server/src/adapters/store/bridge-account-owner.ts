/**
 * Who owns a bridge account: the first live worker token to push for it claims it, and an
 * operator may move it to another live token (see bridge-store.ts).
 */
import type { Kysely } from 'kysely';
import type { SetAccountOwnerResult } from '../../ports/bridge-store.js';
import { insertIfAbsent, type EngineSql } from './engine-sql.js';
import { inTransaction } from './rows.js';
import type { Database } from './schema.js';

/** The account's owner token (null: none), read on `db` or inside a transaction. */
const selectOwner = (db: Kysely<Database>, platform: string, accountId: string) =>
  db
    .selectFrom('bridge_accounts')
    .select('owner_token_id')
    .where('platform', '=', platform)
    .where('account_id', '=', accountId);

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
    const row = await selectOwner(trx, platform, accountId).executeTakeFirst();
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

/** Makes `tokenId` the owner when the account has none or its owner was revoked. */
export async function claimAccount(
  db: Kysely<Database>,
  engine: EngineSql,
  claim: { platform: string; accountId: string; tokenId: string; at: number },
): Promise<string> {
  const { platform, accountId, tokenId, at } = claim;
  await insertIfAbsent(
    engine,
    db.insertInto('bridge_accounts').values({
      platform,
      account_id: accountId,
      last_sync_at: at,
      // No batch yet: any first batch is newer.
      last_timestamp: 0,
      owner_token_id: tokenId,
    }),
    (oc) => oc.columns(['platform', 'account_id']).doNothing(),
  );
  // Conditional: of racing claimants for an ownerless account, exactly one wins.
  await db
    .updateTable('bridge_accounts')
    .set({ owner_token_id: tokenId })
    .where('platform', '=', platform)
    .where('account_id', '=', accountId)
    .where((eb) =>
      eb.or([
        eb('owner_token_id', 'is', null),
        eb(
          'owner_token_id',
          'in',
          eb.selectFrom('worker_tokens').select('id').where('revoked_at', 'is not', null),
        ),
      ]),
    )
    .execute();
  const row = await selectOwner(db, platform, accountId).executeTakeFirstOrThrow();
  return row.owner_token_id ?? tokenId;
}
