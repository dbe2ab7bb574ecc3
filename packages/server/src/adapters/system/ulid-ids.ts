import { monotonicFactory } from 'ulid';
import type { Ids } from '../../ports/system.js';

/** ULIDs: 26 characters, sortable by time, strictly increasing within one process. */
export class UlidIds implements Ids {
  readonly #next = monotonicFactory();

  next(): string {
    return this.#next();
  }
}
