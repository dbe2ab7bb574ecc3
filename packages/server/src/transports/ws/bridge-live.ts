import type { Logger } from 'pino';
import type { SyncCommit } from '../../app/bridges/bridge-sync.js';
import type { BridgeItemRecord, BridgeKind } from '../../ports/bridge-store.js';
import { bridgeTopic, knowsInterest, type Bus } from '../../ports/bus.js';
import { bridgeView } from '../../protocol/bridge-views.js';
import { encodeEvent } from '../../protocol/ws-frames.js';

/** Items per `bridge.updated` frame: a 10,000-item snapshot is 50 frames, not one of megabytes. */
export const BRIDGE_EVENT_ITEMS = 200;

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
  #draining = false;

  constructor(bus: Bus, logger: Logger) {
    this.#bus = bus;
    this.#logger = logger;
  }

  /** A SyncListener: queues the commit's changes (never throws). */
  readonly committed = ({ batch, result }: SyncCommit): void => {
    if (result.changed.length === 0) return;
    // On one node nobody may be listening: then no frame is made at all.
    const topic = bridgeTopic(batch.accountId);
    if (knowsInterest(this.#bus) && !this.#bus.hasSubscribers(topic)) return;
    const byKind = new Map<BridgeKind, BridgeItemRecord[]>();
    for (const item of result.changed) {
      const list = byKind.get(item.kind) ?? [];
      list.push(item);
      byKind.set(item.kind, list);
    }
    for (const [kind, items] of byKind) {
      for (let i = 0; i < items.length; i += BRIDGE_EVENT_ITEMS) {
        this.#queue.push({
          accountId: batch.accountId,
          kind,
          items: items.slice(i, i + BRIDGE_EVENT_ITEMS),
        });
      }
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
      if (knowsInterest(this.#bus) && !this.#bus.hasSubscribers(topic)) return this.#continue();
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
