/** Stops a handler registered with `on`. */
export type Unsubscribe = () => void;

export type Handler<T> = (data: T) => void;

/**
 * A small typed event emitter that works the same in browsers and Node. A throwing handler
 * does not stop the others: its error goes to `onHandlerError`.
 */
export class Emitter<Events extends object> {
  readonly #handlers = new Map<keyof Events, Set<Handler<never>>>();
  readonly #onHandlerError: (error: unknown, event: keyof Events) => void;

  constructor(onHandlerError: (error: unknown, event: keyof Events) => void) {
    this.#onHandlerError = onHandlerError;
  }

  on<K extends keyof Events>(event: K, handler: Handler<Events[K]>): Unsubscribe {
    let set = this.#handlers.get(event);
    if (set === undefined) {
      set = new Set();
      this.#handlers.set(event, set);
    }
    // Wrapped so that registering the same function twice means two subscriptions.
    const wrapped: Handler<Events[K]> = (data) => handler(data);
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  }

  emit<K extends keyof Events>(event: K, data: Events[K]): void {
    const set = this.#handlers.get(event);
    if (set === undefined) return;
    // A copy, so handlers that subscribe or unsubscribe while running do not disturb this round.
    for (const handler of [...set] as Handler<Events[K]>[]) {
      try {
        handler(data);
      } catch (error) {
        this.#onHandlerError(error, event);
      }
    }
  }

  listenerCount(event: keyof Events): number {
    return this.#handlers.get(event)?.size ?? 0;
  }
}
