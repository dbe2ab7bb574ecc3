/**
 * Ingest of a worker's `worker:data:sync` payload (BRIDGE.md): stored in one transaction, and
 * answered only once it has committed.
 */
import type {
  BridgeApplyResult,
  BridgeBatch,
  BridgeItemRecord,
  BridgeItemRepository,
  BridgeKind,
  BridgeKindStats,
} from '../../ports/bridge-store.js';
import type { Clock } from '../../ports/system.js';
import { appError } from '../../domain/errors.js';

/** The answer BRIDGE.md specifies: `stats` per list name (`messages`, `comments`, …). */
export interface SyncAck {
  readonly success: true;
  readonly accountId: string;
  readonly timestamp: number;
  readonly stats: Record<string, BridgeKindStats>;
}

export interface SyncResult {
  readonly ack: SyncAck;
  /** What changed (also given to the commit listeners). */
  readonly changed: readonly BridgeItemRecord[];
}

/** A batch that has committed: what live delivery and the metrics are told. */
export interface SyncCommit {
  readonly platform: string;
  readonly accountId: string;
  /** Per kind present in the batch. */
  readonly stats: BridgeApplyResult['stats'];
  /** How many items the batch inserted, updated or deleted. */
  readonly changedCount: number;
  /**
   * Those items as now stored. Made when asked for: a commit from the ingest thread carries
   * them as JSON, decoded only for a listener that has someone to tell.
   */
  changed(): readonly BridgeItemRecord[];
  /** Server time of the commit (ms). */
  readonly at: number;
  /** Time the sync took, ownership check and transaction (seconds). */
  readonly seconds: number;
}

/** Told of every commit, after it; must not throw (the payload is stored whatever it does). */
export type SyncListener = (commit: SyncCommit) => void;

export class BridgeSyncService {
  readonly #items: BridgeItemRepository;
  readonly #clock: Clock;
  readonly #listOfKind: Readonly<Record<BridgeKind, string>>;
  readonly #listeners: SyncListener[] = [];

  constructor(deps: {
    items: BridgeItemRepository;
    clock: Clock;
    /** The payload's list name of each kind, for the stats. */
    listOfKind: Readonly<Record<BridgeKind, string>>;
  }) {
    this.#items = deps.items;
    this.#clock = deps.clock;
    this.#listOfKind = deps.listOfKind;
  }

  /** Adds a listener of commits (live delivery, metrics), wired by the composition root. */
  onCommit(listener: SyncListener): void {
    this.#listeners.push(listener);
  }

  /** Tells the listeners of a commit made elsewhere (the SQLite ingest thread's). */
  announce(commit: SyncCommit): void {
    for (const listener of this.#listeners) listener(commit);
  }

  /**
   * Stores the batch for the worker token `workerId`. The first token to push for an account
   * owns it (until revoked); any other is refused with PERMISSION_DENIED, nothing stored.
   */
  async sync(batch: BridgeBatch, workerId: string): Promise<SyncResult> {
    const started = performance.now();
    const owner = await this.#items.claimAccount(
      batch.platform,
      batch.accountId,
      workerId,
      this.#clock.now(),
    );
    if (owner !== workerId) {
      throw appError(
        'PERMISSION_DENIED',
        `The account ${batch.platform}/${batch.accountId} belongs to another worker token.`,
      );
    }
    const at = this.#clock.now();
    const result = await this.#items.apply(batch, at);
    this.announce({
      platform: batch.platform,
      accountId: batch.accountId,
      stats: result.stats,
      changedCount: result.changed.length,
      changed: () => result.changed,
      at,
      seconds: (performance.now() - started) / 1000,
    });
    const stats: Record<string, BridgeKindStats> = {};
    for (const [kind, counts] of Object.entries(result.stats) as [BridgeKind, BridgeKindStats][]) {
      stats[this.#listOfKind[kind]] = counts;
    }
    return {
      ack: { success: true, accountId: batch.accountId, timestamp: this.#clock.now(), stats },
      changed: result.changed,
    };
  }
}
