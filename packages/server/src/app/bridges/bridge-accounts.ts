/**
 * The operator's view of bridged accounts (seed 001): which worker token owns each one, and
 * moving one to another live token, so that accounts can be rebalanced between running
 * workers. The caller is authorised by the transport (the admin token, or the CLI's access to
 * the database).
 */
import { appError } from '../../domain/errors.js';
import type {
  BridgeAccountKey,
  BridgeItemRepository,
  WorkerTokenRepository,
} from '../../ports/bridge-store.js';
import { pageLimit } from '../social/paging.js';

export interface BridgeAccountOwner {
  readonly id: string;
  /** The token's name; null if the token is gone from the store. */
  readonly name: string | null;
  /** Set when the owner was revoked: the next live token to push takes the account over. */
  readonly revokedAt: number | null;
}

export interface BridgeAccountView {
  readonly platform: string;
  readonly accountId: string;
  /** Server time of the last batch applied (ms). */
  readonly lastSyncAt: number;
  /** The newest batch timestamp the workers sent (ms). */
  readonly lastTimestamp: number;
  /** Null while no token has claimed it. */
  readonly owner: BridgeAccountOwner | null;
}

export interface BridgeAccountPageView {
  readonly accounts: BridgeAccountView[];
  /** Where the next page starts; null on the last page. */
  readonly next: BridgeAccountKey | null;
}

export interface AccountOwnerMoved {
  readonly platform: string;
  readonly accountId: string;
  readonly ownerTokenId: string;
  /** Null when the account had no owner; equal to `ownerTokenId` when nothing changed. */
  readonly previousOwnerTokenId: string | null;
}

export class BridgeAccountService {
  readonly #items: Pick<BridgeItemRepository, 'listAccounts' | 'setAccountOwner'>;
  readonly #tokens: Pick<WorkerTokenRepository, 'list'>;

  constructor(deps: {
    items: Pick<BridgeItemRepository, 'listAccounts' | 'setAccountOwner'>;
    tokens: Pick<WorkerTokenRepository, 'list'>;
  }) {
    this.#items = deps.items;
    this.#tokens = deps.tokens;
  }

  /** A page of the accounts, by (platform, account id), with their owners' names. */
  async list(after: BridgeAccountKey | undefined, limit?: number): Promise<BridgeAccountPageView> {
    const n = pageLimit(limit);
    const rows = await this.#items.listAccounts(undefined, {
      ...(after !== undefined && { after }),
      limit: n + 1,
    });
    const page = rows.slice(0, n);
    // Tokens are made by hand, one per worker: few enough to read whole. (On SQLite they are
    // in parley.db and the accounts in bridges.db: no join.)
    const tokens = new Map((await this.#tokens.list()).map((t) => [t.id, t]));
    const last = page.at(-1);
    return {
      accounts: page.map((row) => {
        const token = row.ownerTokenId === null ? undefined : tokens.get(row.ownerTokenId);
        return {
          platform: row.platform,
          accountId: row.accountId,
          lastSyncAt: row.lastSyncAt,
          lastTimestamp: row.lastTimestamp,
          owner:
            row.ownerTokenId === null
              ? null
              : {
                  id: row.ownerTokenId,
                  name: token?.name ?? null,
                  revokedAt: token?.revokedAt ?? null,
                },
        };
      }),
      next:
        rows.length > n && last !== undefined
          ? { platform: last.platform, accountId: last.accountId }
          : null,
    };
  }

  /**
   * Moves an account to a live worker token: the previous owner's next push for it is refused
   * (PERMISSION_DENIED), the new owner's accepted. Moving it to its owner changes nothing.
   */
  async assignOwner(
    platform: string,
    accountId: string,
    tokenId: string,
  ): Promise<AccountOwnerMoved> {
    const result = await this.#items.setAccountOwner(platform, accountId, tokenId);
    switch (result.outcome) {
      case 'no-account':
        throw appError(
          'BRIDGE_ACCOUNT_NOT_FOUND',
          `No worker has synced the account ${platform}/${accountId}.`,
        );
      case 'no-live-token':
        throw appError('WORKER_TOKEN_NOT_FOUND', `No live worker token has the id ${tokenId}.`, {
          field: 'worker_token_id',
        });
      case 'set':
        return {
          platform,
          accountId,
          ownerTokenId: result.ownerTokenId,
          previousOwnerTokenId: result.previousOwnerTokenId,
        };
    }
  }
}
