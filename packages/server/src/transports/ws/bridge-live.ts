import type { Logger } from 'pino';
import type { SyncCommit } from '../../app/bridges/bridge-sync.js';
import type { BridgeItemRecord, BridgeKind } from '../../ports/bridge-store.js';
import { bridgeTopic, mayHaveSubscribers, type Bus } from '../../ports/bus.js';
import { bridgeView } from '../../protocol/bridge-views.js';
import { encodeEvent } from '../../protocol/ws-frames.js';

/** Items per `bridge.updated` frame: a 10,000-item snapshot is 50 frames, not one of megabytes. */
export const BRIDGE_EVENT_ITEMS = 200;

/**
 * Frames waiting to be published (1,000 × 200 items: twenty 10,000-item snapshots). Past it the
 * oldest are dropped: live updates are at most once, and a subscriber reads what it missed
 * from `/api/im/*`. Only a node ingesting faster than one frame per event-loop turn gets here.
 */
export const BRIDGE_EVENT_QUEUE = 1_000;

interface Pending {
  readonly accountId: string;
  readonly kind: BridgeKind;
  readonly items: readonly BridgeItemRecord[];
}

/**
 * Publishes what each committed batch changed as `bridge.updated` frames on the account's bus
 * topic, so that subscribers on every gateway get them (BRIDGE.md, "Live"). Frames are encoded
 * and published one per event-loop turn, in commit order: a large snapshot never holds the loop
 * (chat goes on between its frames), and an item's versions arrive in the order they committed.
 */
export class BridgeLivePublisher {
  readonly #bus: Bus;
  readonly #logger: Logger;
  readonly #queue: Pending[] = [];
  readonly #bound: number;
  #draining = false;
  #dropped = 0;

  constructor(bus: Bus, logger: Logger, bound = BRIDGE_EVENT_QUEUE) {
    this.#bus = bus;
    this.#logger = logger;
    this.#bound = bound;
  }

  /** Frames dropped because the queue was full (for tests and metrics). */
  get dropped(): number {
    return this.#dropped;
  }

  /** A SyncListener: queues the commit's changes (never throws). */
  readonly committed = (commit: SyncCommit): void => {
    if (commit.changedCount === 0) return;
    // On one node nobody may be listening: then no frame is made at all.
    const topic = bridgeTopic(commit.accountId);
    if (!mayHaveSubscribers(this.#bus, topic)) return;
    const byKind = new Map<BridgeKind, BridgeItemRecord[]>();
    for (const item of commit.changed()) {
      const list = byKind.get(item.kind) ?? [];
      list.push(item);
      byKind.set(item.kind, list);
    }
    for (const [kind, items] of byKind) {
      for (let i = 0; i < items.length; i += BRIDGE_EVENT_ITEMS) {
        this.#queue.push({
          accountId: commit.accountId,
          kind,
          items: items.slice(i, i + BRIDGE_EVENT_ITEMS),
        });
      }
    }
    const excess = this.#queue.length - this.#bound;
    if (excess > 0) {
      this.#queue.splice(0, excess);
      this.#dropped += excess;
      this.#logger.warn(
        { dropped: excess, account_id: commit.accountId },
        'bridge updates came faster than they could be published: the oldest were dropped',
      );
    }
    if (!this.#draining) {
      this.#draining = true;
      setImmediate(() => this.#drain());
    }
  };

  #drain(): void {
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#draining = false;
      return;
    }
    const topic = bridgeTopic(next.accountId);
    try {
      if (!mayHaveSubscribers(this.#bus, topic)) return this.#continue();
      const frame = encodeEvent('bridge.updated', {
        account_id: next.accountId,
        kind: next.kind,
        items: next.items.map((item) => ({
          ...bridgeView(item),
          is_deleted: item.deletedAt !== null,
        })),
      });
      this.#bus.publish(topic, { frame });
    } catch (err) {
      this.#logger.error({ err, account_id: next.accountId }, 'a bridge update was not published');
    }
    this.#continue();
  }

  #continue(): void {
    setImmediate(() => this.#drain());
  }
}
