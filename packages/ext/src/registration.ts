/**
 * This instance's keys in etcd, all under one lease that is kept alive.
 *
 * Guarantees: after `start()` resolves every key is in etcd; while the process lives and etcd is
 * reachable they stay (a lost lease, e.g. after etcd was unreachable for longer than the TTL, is
 * replaced by a new one and every key is written again, retrying with backoff until it works);
 * when the process dies they disappear by themselves within the TTL; `close()` revokes the lease,
 * which deletes them at once.
 */
import type { Etcd3, Lease } from 'etcd3';
import type { Logger } from './logger.js';

export interface RegistrationEntry {
  readonly key: string;
  /** The JSON value Parley reads. */
  readonly value: string;
}

export interface RegistrationOptions {
  readonly client: Etcd3;
  readonly entries: readonly RegistrationEntry[];
  readonly ttlSeconds: number;
  /** Deadline of each etcd request. */
  readonly requestTimeoutMs: number;
  readonly log: Logger;
  /** Backoff between attempts to register again. Default 100 ms doubling up to 5 s. */
  readonly retryDelayMs?: (attempt: number) => number;
}

const defaultDelay = (attempt: number) =>
  Math.round(Math.min(5_000, 100 * 2 ** attempt) * (0.8 + Math.random() * 0.2));

export class EtcdRegistration {
  readonly #options: RegistrationOptions;
  /** The lease being granted or in use; `undefined` between attempts. */
  #lease: Lease | undefined;
  /** Set once every key was written under `#lease`. */
  #registered = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: RegistrationOptions) {
    this.#options = options;
  }

  /** Whether every key is currently written under a live lease (as far as this process knows). */
  get registered(): boolean {
    return this.#registered;
  }

  /** Grants the lease and writes every key; rejects if that fails (nothing is left behind). */
  start(): Promise<void> {
    return this.#register();
  }

  /** Stops keeping the keys: revokes the lease, so they are deleted now. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const lease = this.#lease;
    this.#lease = undefined;
    this.#registered = false;
    if (lease !== undefined) await this.#revoke(lease);
  }

  async #register(): Promise<void> {
    const { client, entries, ttlSeconds, log } = this.#options;
    const lease = client.lease(ttlSeconds, { deadline: this.#deadline() });
    this.#lease = lease;
    this.#registered = false;
    lease.on('lost', (err) => this.#onLost(lease, err));
    try {
      await lease.grant();
      await Promise.all(
        entries.map((e) => lease.put(e.key).value(e.value).options({ deadline: this.#deadline() })),
      );
    } catch (err) {
      if (this.#lease === lease) this.#lease = undefined;
      await this.#revoke(lease);
      throw err;
    }
    if (this.#closed || this.#lease !== lease) {
      // close() ran meanwhile and did not see this lease as registered: revoke it here.
      await this.#revoke(lease);
      return;
    }
    this.#registered = true;
    log('info', 'registered in etcd', { keys: entries.map((e) => e.key), ttl_s: ttlSeconds });
  }

  #onLost(lease: Lease, err: unknown): void {
    // Only a lease in use counts: a failed grant is handled by whoever awaited it.
    if (this.#closed || this.#lease !== lease || !this.#registered) return;
    this.#lease = undefined;
    this.#registered = false;
    this.#options.log('warn', 'etcd lease lost; registering again', { err });
    this.#retry(0);
  }

  #retry(attempt: number): void {
    const delay = (this.#options.retryDelayMs ?? defaultDelay)(attempt);
    this.#retryTimer = setTimeout(() => {
      if (this.#closed) return;
      this.#register().catch((err: unknown) => {
        if (this.#closed) return;
        this.#options.log('warn', 'registering in etcd failed; retrying', { err, attempt });
        this.#retry(attempt + 1);
      });
    }, delay);
  }

  async #revoke(lease: Lease): Promise<void> {
    try {
      await lease.revoke({ deadline: this.#deadline() });
    } catch (err) {
      // The keys go when the TTL runs out.
      this.#options.log('warn', 'revoking the etcd lease failed', { err });
    }
  }

  #deadline(): Date {
    return new Date(Date.now() + this.#options.requestTimeoutMs);
  }
}
