import { appError } from '../../domain/errors.js';

export interface GroupCommitOptions {
  /** Most items written in one batch. */
  readonly maxBatch: number;
  /** Most items waiting; beyond it `submit` fails fast with UNAVAILABLE. */
  readonly maxPending: number;
  /**
   * How long a batch that is not full may wait for more, counted from its first item's
   * arrival (0: written as soon as nothing is in flight). Over a network each statement costs
   * both sides far more than a row in it, and so does each publish of what it stored. Only
   * while at least LINGER_FILL items come in per `lingerMs` (a moving average of the gaps
   * between them): a batch that would wait for one or two more is written at once.
   */
  readonly lingerMs?: number;
  /** Milliseconds on a monotonic clock (performance.now by default). */
  readonly now?: () => number;
}

/**
 * Items a linger must expect to gather before a batch waits for them: waiting `lingerMs` to
 * share one statement among two adds the whole wait to each message's latency and saves one
 * statement.
 */
export const LINGER_FILL = 3;

interface Pending<I, O> {
  readonly item: I;
  readonly at: number;
  readonly resolve: (value: O) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Group commit: items submitted while a batch is being written wait and go together in the
 * next one, so under load many messages share one transaction (and one fsync), while a lone
 * message is written at once (or once it has waited `lingerMs`, when that is set). One batch
 * is in flight at a time: the single-writer shape SQLite wants and the order the seq allocator
 * preserves.
 *
 * A batch that fails is retried item by item, so one bad item (or a lost race on a unique
 * key with another process) fails alone.
 */
export class GroupCommitter<I, O> {
  readonly #write: (items: I[]) => Promise<O[]>;
  readonly #options: GroupCommitOptions;
  readonly #queue: Pending<I, O>[] = [];
  readonly #lingerMs: number;
  readonly #now: () => number;
  /** Moving average of the milliseconds between two submissions (lingering only). */
  #gap = Number.POSITIVE_INFINITY;
  #last = Number.NEGATIVE_INFINITY;
  /** Ends the current linger early (the batch filled up). */
  #wake: (() => void) | undefined;
  #writing = false;
  #idle: (() => void)[] = [];

  constructor(write: (items: I[]) => Promise<O[]>, options: GroupCommitOptions) {
    this.#write = write;
    this.#options = options;
    this.#lingerMs = options.lingerMs ?? 0;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Items waiting for a batch (not counting the one being written). */
  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves once nothing is waiting or being written (for a clean shutdown). */
  idle(): Promise<void> {
    if (!this.#writing) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  submit(item: I): Promise<O> {
    if (this.#queue.length >= this.#options.maxPending) {
      return Promise.reject(
        appError('SERVER_BUSY', 'The server is busy writing messages; retry shortly.'),
      );
    }
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, at: this.#lingerMs > 0 ? this.#arrived() : 0, resolve, reject });
      if (this.#queue.length >= this.#options.maxBatch) this.#wake?.();
      if (!this.#writing) {
        this.#writing = true;
        // Let the current tick's submissions join the first batch.
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      await this.#linger();
      const batch = this.#queue.splice(0, this.#options.maxBatch);
      await this.#writeBatch(batch);
    }
    this.#writing = false;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Notes an arrival in the moving average of gaps; returns its time. */
  #arrived(): number {
    const now = this.#now();
    const gap = Math.min(now - this.#last, 1_000);
    this.#gap = Number.isFinite(this.#gap) ? this.#gap * 0.9 + gap * 0.1 : gap;
    this.#last = now;
    return now;
  }

  /** Waits until the next batch is full or its first item has waited `lingerMs`. */
  async #linger(): Promise<void> {
    const first = this.#queue[0];
    if (this.#lingerMs <= 0 || first === undefined) return;
    if (this.#queue.length >= this.#options.maxBatch) return;
    if (this.#gap * LINGER_FILL > this.#lingerMs) return;
    const wait = first.at + this.#lingerMs - this.#now();
    if (wait < 1) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }

  async #writeBatch(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.#write(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i] as O));
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
    }
    for (const pending of batch) {
      try {
        const [result] = await this.#write([pending.item]);
        pending.resolve(result as O);
      } catch (err) {
        pending.reject(err);
      }
    }
  }
}
