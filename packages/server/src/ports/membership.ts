/**
 * Membership: which Parley nodes make up the cluster, for operators (GET /v1/admin/nodes).
 *
 * An adapter instance belongs to one node: `register` announces that node, `list` reads every
 * node that shares the backing store (the memory adapter: this process only; the etcd adapter:
 * every node registered in that etcd under the same key prefix).
 *
 * Guarantees:
 * - Once `register` resolves, the node's record is listed by every instance sharing the store.
 *   Registering again replaces the record (a node is listed once, by `node_id`).
 * - The record lives under a lease that the instance keeps alive. A node that dies (or loses
 *   the store for longer than the lease TTL) disappears from `list` within the TTL; while the
 *   process lives it registers again by itself once the store answers (a lost lease, e.g. after
 *   an etcd restart, is replaced by a new one).
 * - `close()` revokes the lease, so a clean stop disappears at once; it is safe to call twice.
 *   The instance is not used afterwards.
 * - `list` answers from the store (a read per call, not a cache); records it cannot read are
 *   left out, never thrown.
 */

/** One node as it announces itself. JSON as stored; snake_case as served to operators. */
export interface NodeRecord {
  readonly node_id: string;
  /** `gateway`, `api`, `worker` (a node may hold several). */
  readonly roles: string[];
  /** Where its HTTP and WebSocket edge answers, when it has one. */
  readonly http_url?: string;
  /** host:port of its gRPC server, when it has one. */
  readonly grpc_addr?: string;
  /** The Parley version it runs. */
  readonly version: string;
  /** When it started, ISO 8601. */
  readonly started_at: string;
}

export interface Membership {
  /** Announces (or re-announces, replacing) this node; resolves once it is listed. */
  register(node: NodeRecord): Promise<void>;
  /** Every live node, sorted by `node_id`. */
  list(): Promise<NodeRecord[]>;
  /** Resolves while the backing store answers (for /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
