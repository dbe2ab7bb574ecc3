/** Time and identity, injected so that use cases stay deterministic under test. */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface Ids {
  /** A new unique id: a string that sorts by creation time. */
  next(): string;
}
