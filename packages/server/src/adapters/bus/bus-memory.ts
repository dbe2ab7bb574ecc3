import type { Bus, BusHandler, BusInterest, BusMessage } from '../../ports/bus.js';

export interface MemoryBusOptions {
  /** Told when a handler throws; delivery to the others goes on. */
  readonly onHandlerError?: (err: unknown, topic: string) => void;
}

/** The in-process Bus: synchronous delivery to the handlers of a topic, in publish order. */
export class MemoryBus implements Bus, BusInterest {
  readonly #topics = new Map<string, Set<BusHandler>>();
  readonly #onHandlerError: (err: unknown, topic: string) => void;

  constructor(options: MemoryBusOptions = {}) {
    this.#onHandlerError = options.onHandlerError ?? (() => {});
  }

  publish(topic: string, message: BusMessage): void {
    const handlers = this.#topics.get(topic);
    if (handlers === undefined) return;
    for (const handler of handlers) {
      try {
        handler(message);
      } catch (err) {
        this.#onHandlerError(err, topic);
      }
    }
  }

  subscribe(topic: string, handler: BusHandler): () => void {
    let handlers = this.#topics.get(topic);
    if (handlers === undefined) {
      handlers = new Set();
      this.#topics.set(topic, handlers);
    }
    // A wrapper per subscription, so the same handler may hold two independent subscriptions.
    const subscription: BusHandler = (message) => handler(message);
    handlers.add(subscription);
    return () => {
      const current = this.#topics.get(topic);
      if (current === undefined) return;
      current.delete(subscription);
      if (current.size === 0) this.#topics.delete(topic);
    };
  }

  hasSubscribers(topic: string): boolean {
    return this.#topics.has(topic);
  }

  /** Topics with at least one subscriber (for tests and metrics). */
  topicCount(): number {
    return this.#topics.size;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.#topics.clear();
  }
}
