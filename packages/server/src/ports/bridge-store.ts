/**
 * The bridge repositories of the Store (seed 001, ../shared/BRIDGE.md): the items workers push
 * for a platform account, and the worker tokens that let them push.
 *
 * Guarantees (test/contract/bridge-store.contract.ts):
 * - `apply` writes a whole batch in one transaction; when it resolves the batch has committed.
 *   Inside `store.transaction` it joins that transaction, except on SQLite, where bridge items
 *   live in a database file of their own and every call there fails (nothing is written).
 * - Items are keyed by (platform, accountId, kind, itemId); the raw item is kept as given.
 * - The same batch twice changes nothing the second time (every item counts as unchanged).
 * - An item is overwritten only by a batch whose timestamp is not older than the one that last
 *   wrote it; a snapshot marks deleted only the items it does not list that were last written
 *   by an older batch. So an older snapshot arriving late never undoes a newer one.
 * - Deleted items are kept (marked), not dropped; a later batch that lists one revives it.
 * - Batches for the same account are applied one after the other (an account row is locked).
 * - `list` is a keyset page: ordered by (sortTime, platform, itemId), where sortTime is the
 *   item's `createdAt` when first stored and never changes, so paging while workers keep
 *   writing sees every item that existed throughout exactly once.
 * - An account belongs to one worker token at a time: the first live one to claim it, the next
 *   live claimant once that one is revoked, or the one an operator moves it to
 *   (`setAccountOwner`). A claim by any other token returns the owner, not the claimant.
 */

export const BRIDGE_KINDS = [
  'conversation',
  'message',
  'comment',
  'content',
  'notification',
] as const;
export type BridgeKind = (typeof BRIDGE_KINDS)[number];

export type BridgeMode = 'snapshot' | 'delta';

export interface BridgeItemInput {
  readonly itemId: string;
  /** The item exactly as the worker sent it (JSON text of an object). */
  readonly raw: string;
  /** The item's own `createdAt` (ms): the stable order of pages. */
  readonly createdAt: number;
  /** Messages: the conversation they belong to (the `conversation_id` filter); else null. */
  readonly conversationId: string | null;
}

export interface BridgeBatch {
  readonly platform: string;
  readonly accountId: string;
  readonly mode: BridgeMode;
  /** The payload's timestamp (ms): newer batches win over older ones, item by item. */
  readonly timestamp: number;
  /** The kinds the payload carries; under `snapshot`, only these kinds are replaced. */
  readonly items: Partial<Record<BridgeKind, readonly BridgeItemInput[]>>;
}

export interface BridgeKindStats {
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

export interface BridgeItemRecord {
  readonly platform: string;
  readonly accountId: string;
  readonly kind: BridgeKind;
  readonly itemId: string;
  readonly raw: string;
  readonly conversationId: string | null;
  /** The first stored `createdAt`: the page order. */
  readonly sortTime: number;
  /** The timestamp of the batch that last wrote (or deleted) the item. */
  readonly itemTime: number;
  /** When the batch that deleted it (by absence from a snapshot) was written; else null. */
  readonly deletedAt: number | null;
  /** Server time of the last write. */
  readonly syncedAt: number;
}

export interface BridgeApplyResult {
  /** Per kind present in the batch. */
  readonly stats: Partial<Record<BridgeKind, BridgeKindStats>>;
  /** Items this batch inserted, updated or deleted, as now stored. */
  readonly changed: readonly BridgeItemRecord[];
}

/** Where the last page ended; opaque to clients (encoded by the transport). */
export interface BridgeCursor {
  readonly sortTime: number;
  readonly platform: string;
  readonly itemId: string;
}

export interface BridgeItemQuery {
  readonly accountId: string;
  readonly kinds: readonly BridgeKind[];
  readonly platform?: string;
  readonly conversationId?: string;
  /** Only items whose sortTime is at or after this (ms). */
  readonly sinceTime?: number;
  /** Deleted items are left out unless asked for. */
  readonly includeDeleted?: boolean;
  readonly after?: BridgeCursor;
  /** `desc` walks newest first (the unified inbox). Default `asc`. */
  readonly order?: 'asc' | 'desc';
  readonly limit: number;
}

export interface BridgeAccountRecord {
  readonly platform: string;
  readonly accountId: string;
  /** Server time of the last batch applied for the account. */
  readonly lastSyncAt: number;
  /** The newest batch timestamp seen for the account. */
  readonly lastTimestamp: number;
  /** The worker token that owns the account (the first to push for it); null when none. */
  readonly ownerTokenId: string | null;
}

export interface BridgeItemRepository {
  apply(batch: BridgeBatch, at: number): Promise<BridgeApplyResult>;
  list(query: BridgeItemQuery): Promise<BridgeItemRecord[]>;
  find(
    platform: string,
    accountId: string,
    kind: BridgeKind,
    itemId: string,
  ): Promise<BridgeItemRecord | undefined>;
  findAccount(platform: string, accountId: string): Promise<BridgeAccountRecord | undefined>;
  /**
   * Makes the worker token the account's owner if it has none, or if its owner was revoked
   * (a replacement worker takes over); returns the owner's id afterwards.
   */
  claimAccount(platform: string, accountId: string, tokenId: string, at: number): Promise<string>;
  /**
   * The accounts known, of every platform, or only those with this account id; ordered by
   * (platform, accountId). With `page`: at most `limit` of them, after the key `after`.
   */
  listAccounts(accountId?: string, page?: BridgeAccountPage): Promise<BridgeAccountRecord[]>;
  /**
   * Moves a known account to a live worker token, in one transaction: from when it resolves,
   * `claimAccount` returns this token to everyone, the previous owner included. Moving it to
   * its owner changes nothing. An account never synced is not created (`no-account`); a token
   * that does not exist or is revoked is refused (`no-live-token`), the owner left as it was.
   */
  setAccountOwner(
    platform: string,
    accountId: string,
    tokenId: string,
  ): Promise<SetAccountOwnerResult>;
}

/** An account's key: where a page of accounts ends. */
export interface BridgeAccountKey {
  readonly platform: string;
  readonly accountId: string;
}

export interface BridgeAccountPage {
  /** Only accounts after this key, in (platform, accountId) order. */
  readonly after?: BridgeAccountKey;
  readonly limit: number;
}

export type SetAccountOwnerResult =
  | {
      readonly outcome: 'set';
      /** The owner before: null when it had none; equal to `ownerTokenId` when unchanged. */
      readonly previousOwnerTokenId: string | null;
      readonly ownerTokenId: string;
    }
  | { readonly outcome: 'no-account' }
  | { readonly outcome: 'no-live-token' };

/**
 * Which Parley users may read an account's items (`/api/im/*`, `bridge.subscribe`). A grant
 * names an account id, whatever its platform, as the read API does. `grant` and `revoke` take
 * effect when they resolve: the next `isGranted` sees them.
 */
export interface BridgeGrantRepository {
  /** True when this call granted it (the user had no grant on the account yet). */
  grant(accountId: string, userId: string, at: number): Promise<boolean>;
  /** True when this call removed the grant (false: the user had none on the account). */
  revoke(accountId: string, userId: string): Promise<boolean>;
  isGranted(accountId: string, userId: string): Promise<boolean>;
}

export interface WorkerTokenRecord {
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the token: the token itself is never stored. */
  readonly tokenHash: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

export interface WorkerTokenRepository {
  /** Fails with the engine's duplicate key error when the hash is taken (never in practice). */
  insert(token: WorkerTokenRecord): Promise<void>;
  findByHash(tokenHash: string): Promise<WorkerTokenRecord | undefined>;
  /** Every token, revoked ones too, oldest first. */
  list(): Promise<WorkerTokenRecord[]>;
  /** True when this call revoked a token that was not revoked. */
  revoke(id: string, at: number): Promise<boolean>;
}
