import type { Logger } from 'pino';

/** One piece of a running node: an engine connection, a listener, a background worker. */
export interface Part {
  readonly name: string;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/**
 * Starts parts in the order they were added and stops them in reverse, so that nothing stops
 * before the parts that use it. A start that fails stops the parts already started, then
 * rethrows; a stop that fails is logged and the others still stop.
 */
export class Lifecycle {
  readonly #parts: Part[] = [];
  readonly #started: Part[] = [];
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  add<T extends Part>(part: T): T {
    this.#parts.push(part);
    return part;
  }

  async start(): Promise<void> {
    for (const part of this.#parts) {
      if (this.#started.includes(part)) continue;
      try {
        await part.start?.();
      } catch (err) {
        await this.stop();
        throw err;
      }
      this.#started.push(part);
    }
  }

  async stop(): Promise<void> {
    for (let part = this.#started.pop(); part !== undefined; part = this.#started.pop()) {
      try {
        await part.stop?.();
      } catch (err) {
        this.#logger.error({ err, part: part.name }, `could not stop ${part.name} cleanly`);
      }
    }
  }

  /** Stops parts added but never started (a build that failed half-way). */
  async discard(): Promise<void> {
    const unstarted = this.#parts.filter((part) => !this.#started.includes(part));
    for (const part of unstarted.reverse()) {
      try {
        await part.stop?.();
      } catch (err) {
        this.#logger.error({ err, part: part.name }, `could not release ${part.name}`);
      }
    }
  }
}
