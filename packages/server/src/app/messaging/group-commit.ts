import { appError } from '../../domain/errors.js';

export interface GroupCommitOptions {
  /** Most items written in one batch. */
  readonly maxBatch: number;
  /** Most items waiting; beyond it `submit` fails fast with UNAVAILABLE. */
  readonly maxPending: number;
}

interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Group commit: items submitted while a batch is being written wait and go together in the
 * next one, so under load many messages share one transaction (and one fsync), while a lone
 * message is written at once. One batch is in flight at a time: the single-writer shape
 * SQLite wants and the order the seq allocator preserves.
 *
 * A batch that fails is retried item by item, so one bad item (or a lost race on a unique
 * key with another process) fails alone.
 */
export class GroupCommitter<I, O> {
  readonly #write: (items: I[]) => Promise<O[]>;
  readonly #options: GroupCommitOptions;
  readonly #queue: Pending<I, O>[] = [];
  #writing = false;
  #idle: (() => void)[] = [];

  constructor(write: (items: I[]) => Promise<O[]>, options: GroupCommitOptions) {
    this.#write = write;
    this.#options = options;
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
      this.#queue.push({ item, resolve, reject });
      if (!this.#writing) {
        this.#writing = true;
        // Let the current tick's submissions join the first batch.
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxBatch);
      await this.#writeBatch(batch);
    }
    this.#writing = false;
    for (const resolve of this.#idle.splice(0)) resolve();
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
