/** The work in flight (calls and async handlers), so that closing can wait for it, then stop it. */

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class InFlight {
  readonly #pending = new Set<Promise<unknown>>();
  readonly #stop = new AbortController();
  #closing = false;

  /** True from the start of `drain`: new calls are refused (UNAVAILABLE). */
  get closing(): boolean {
    return this.#closing;
  }

  /** Aborted when the grace period of `drain` is over: handlers should stop then. */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Tracks `work` until it settles; returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    const forget = () => this.#pending.delete(work);
    work.then(forget, forget);
    return work;
  }

  /**
   * Refuses new work, waits up to `graceMs` for the work in flight, then aborts `signal` and
   * waits up to `reportMs` more, for handlers to report that they stopped.
   */
  async drain(graceMs: number, reportMs = 1_000): Promise<void> {
    this.#closing = true;
    await this.#settled(graceMs);
    this.#stop.abort(new Error('The extension is closing.'));
    await this.#settled(Math.min(graceMs, reportMs));
  }

  #settled(timeoutMs: number): Promise<unknown> {
    if (this.#pending.size === 0) return Promise.resolve();
    return Promise.race([Promise.allSettled([...this.#pending]), sleep(timeoutMs)]);
  }
}
