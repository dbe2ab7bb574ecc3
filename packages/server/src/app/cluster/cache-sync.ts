import { CACHE_TOPIC, type Bus, type CacheName } from '../../ports/bus.js';

type Invalidation = (keys: readonly string[]) => void;

/**
 * Keeps per-process caches true across nodes: a node that changes what a cache holds updates
 * its own copy and publishes the keys on the bus's `cache` topic; every other node drops those
 * entries and reloads them from the store on next use. On one node the message comes back to
 * its sender only, which ignores it.
 */
export class CacheSync {
  readonly #bus: Bus;
  readonly #nodeId: string;
  readonly #handlers = new Map<CacheName, Set<Invalidation>>();
  #unsubscribe: (() => void) | undefined;

  constructor(bus: Bus, nodeId: string) {
    this.#bus = bus;
    this.#nodeId = nodeId;
  }

  /** Tells the other nodes that these entries changed (after the change committed). */
  publish(cache: CacheName, keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.#bus.publish(CACHE_TOPIC, {
      control: { kind: 'invalidate', cache, keys, origin: this.#nodeId },
    });
  }

  /** Calls `handler` with the keys other nodes invalidate in `cache`. */
  subscribe(cache: CacheName, handler: Invalidation): () => void {
    this.#unsubscribe ??= this.#bus.subscribe(CACHE_TOPIC, (message) => {
      const control = message.control;
      if (control?.kind !== 'invalidate' || control.origin === this.#nodeId) return;
      for (const h of this.#handlers.get(control.cache) ?? []) h(control.keys);
    });
    let set = this.#handlers.get(cache);
    if (set === undefined) {
      set = new Set();
      this.#handlers.set(cache, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
