/**
 * Ingest of a worker's `worker:data:sync` payload (BRIDGE.md): stored in one transaction, and
 * answered only once it has committed.
 */
import type {
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
  /** What changed, for live delivery once that is built. */
  readonly changed: readonly BridgeItemRecord[];
}

export class BridgeSyncService {
  readonly #items: BridgeItemRepository;
  readonly #clock: Clock;
  readonly #listOfKind: Readonly<Record<BridgeKind, string>>;

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

  /**
   * Stores the batch for the worker token `workerId`. The first token to push for an account
   * owns it (until revoked); any other is refused with PERMISSION_DENIED, nothing stored.
   */
  async sync(batch: BridgeBatch, workerId: string): Promise<SyncResult> {
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
    const result = await this.#items.apply(batch, this.#clock.now());
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
