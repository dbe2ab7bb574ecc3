import { Etcd3, type Lease } from 'etcd3';
import type { Membership, NodeRecord } from '../../ports/membership.js';
import { parseNodeRecord, storedNodeRecord } from './membership-record.js';

/** Where the adapter reports what it does; a pino logger fits. */
export interface MembershipLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

interface EtcdMembershipSettings {
  /** Lease TTL: how long a dead node stays listed. Default 10 s (etcd rounds up to ~2 s). */
  readonly ttlSeconds?: number;
  /** Default `/parley/nodes/`; tests sharing one etcd give each their own. */
  readonly keyPrefix?: string;
  /** Deadline of each etcd request. Default 5 s. */
  readonly requestTimeoutMs?: number;
  /** Backoff between attempts to register again. Default 100 ms doubling up to 5 s. */
  readonly retryDelayMs?: (attempt: number) => number;
  readonly log?: MembershipLog;
}

export type EtcdMembershipOptions = EtcdMembershipSettings &
  (
    | { readonly endpoints: readonly string[] }
    /** A client owned by the caller: `close()` revokes the lease but leaves the client open. */
    | { readonly client: Etcd3 }
  );

export const DEFAULT_NODES_PREFIX = '/parley/nodes/';

const silent: MembershipLog = { info: () => {}, warn: () => {} };

const defaultDelay = (attempt: number) =>
  Math.round(Math.min(5_000, 100 * 2 ** attempt) * (0.8 + Math.random() * 0.2));

/**
 * Membership in etcd: the node's record at `<prefix><node_id>` (JSON) under one lease kept
 * alive by the etcd3 client. A lost lease (etcd unreachable past the TTL, or restarted without
 * it) is replaced by a new one and the record written again, retrying with backoff.
 */
export class EtcdMembership implements Membership {
  readonly #client: Etcd3;
  readonly #ownsClient: boolean;
  readonly #ttlSeconds: number;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #retryDelay: (attempt: number) => number;
  readonly #log: MembershipLog;
  /** What this node announces; kept to write it again under a new lease. */
  #record: NodeRecord | undefined;
  /** The lease being granted or in use; `undefined` between attempts. */
  #lease: Lease | undefined;
  /** Set once the record was written under `#lease`. */
  #registered = false;
  #retryTimer: NodeJS.Timeout | undefined;
  /** Writes run one at a time, in order: a retry never races a register. */
  #writes: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: EtcdMembershipOptions) {
    this.#ownsClient = !('client' in options);
    this.#client =
      'client' in options ? options.client : new Etcd3({ hosts: [...options.endpoints] });
    this.#ttlSeconds = options.ttlSeconds ?? 10;
    this.#prefix = options.keyPrefix ?? DEFAULT_NODES_PREFIX;
    this.#timeoutMs = options.requestTimeoutMs ?? 5_000;
    this.#retryDelay = options.retryDelayMs ?? defaultDelay;
    this.#log = options.log ?? silent;
  }

  /**
   * Writes the record; rejects if etcd does not take it, and then keeps trying in the
   * background (the node is listed once etcd answers again).
   */
  async register(node: NodeRecord): Promise<void> {
    if (this.#closed) throw new Error('The membership is closed: the node cannot register.');
    const record = storedNodeRecord(node);
    if (this.#record !== undefined && this.#record.node_id !== record.node_id) {
      throw new Error(
        `This membership already registered node "${this.#record.node_id}"; one instance announces one node.`,
      );
    }
    this.#record = record;
    try {
      await this.#serially(() => this.#write(record));
    } catch (err) {
      if (!this.#closed && this.#retryTimer === undefined) this.#retry(0);
      throw err;
    }
  }

  async list(): Promise<NodeRecord[]> {
    const all = await this.#client
      .getAll()
      .prefix(this.#prefix)
      .options({ deadline: this.#deadline() })
      .strings();
    const nodes: NodeRecord[] = [];
    for (const [key, value] of Object.entries(all)) {
      try {
        const node = parseNodeRecord(value);
        if (key !== this.#key(node.node_id)) throw new Error('the key does not name this node');
        nodes.push(node);
      } catch (err) {
        this.#log.warn({ key, err }, 'ignoring a node record that cannot be read');
      }
    }
    return nodes.sort((a, b) => (a.node_id < b.node_id ? -1 : a.node_id > b.node_id ? 1 : 0));
  }

  async ping(): Promise<void> {
    await this.#client.get(this.#prefix).options({ deadline: this.#deadline() }).exec();
  }

  /** Revokes the lease, so the record is deleted now. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    // A write in progress finishes (bounded by the request deadline) and sees #closed.
    await this.#writes;
    const lease = this.#lease;
    this.#lease = undefined;
    this.#registered = false;
    if (lease !== undefined) await this.#revoke(lease);
    if (this.#ownsClient) this.#client.close();
  }

  /** Under the live lease if there is one; otherwise under a new lease. */
  async #write(record: NodeRecord): Promise<void> {
    if (this.#closed) return;
    const lease = this.#lease;
    if (lease !== undefined && this.#registered) {
      await lease.put(this.#key(record.node_id)).value(JSON.stringify(record)).options({
        deadline: this.#deadline(),
      });
      return;
    }
    await this.#grantAndWrite(record);
  }

  async #grantAndWrite(record: NodeRecord): Promise<void> {
    const lease = this.#client.lease(this.#ttlSeconds, { deadline: this.#deadline() });
    this.#lease = lease;
    this.#registered = false;
    lease.on('lost', (err) => this.#onLost(lease, err));
    try {
      await lease.grant();
      await lease.put(this.#key(record.node_id)).value(JSON.stringify(record)).options({
        deadline: this.#deadline(),
      });
    } catch (err) {
      if (this.#lease === lease) this.#lease = undefined;
      await this.#revoke(lease);
      throw err;
    }
    if (this.#closed || this.#lease !== lease) {
      await this.#revoke(lease);
      return;
    }
    this.#registered = true;
    this.#log.info(
      { key: this.#key(record.node_id), ttl_s: this.#ttlSeconds },
      'node registered in etcd',
    );
  }

  #onLost(lease: Lease, err: unknown): void {
    // Only the lease in use counts: a failed grant is handled by whoever awaited it.
    if (this.#closed || this.#lease !== lease || !this.#registered) return;
    this.#lease = undefined;
    this.#registered = false;
    this.#log.warn({ err }, 'etcd lease of this node lost; registering again');
    this.#retry(0);
  }

  #retry(attempt: number): void {
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      const record = this.#record;
      if (this.#closed || record === undefined || this.#registered) return;
      this.#serially(() => this.#write(record)).catch((err: unknown) => {
        if (this.#closed) return;
        this.#log.warn({ err, attempt }, 'registering the node in etcd failed; retrying');
        if (this.#retryTimer === undefined) this.#retry(attempt + 1);
      });
    }, this.#retryDelay(attempt));
  }

  #serially(write: () => Promise<void>): Promise<void> {
    const next = this.#writes.then(write);
    this.#writes = next.catch(() => {});
    return next;
  }

  async #revoke(lease: Lease): Promise<void> {
    try {
      await lease.revoke({ deadline: this.#deadline() });
    } catch (err) {
      // The record goes when the TTL runs out.
      this.#log.warn({ err }, 'revoking the etcd lease of this node failed');
    }
  }

  #key(nodeId: string): string {
    return `${this.#prefix}${nodeId}`;
  }

  #deadline(): Date {
    return new Date(Date.now() + this.#timeoutMs);
  }
}
