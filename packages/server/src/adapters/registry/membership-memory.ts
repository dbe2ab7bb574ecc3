import type { Membership, NodeRecord } from '../../ports/membership.js';
import { nodeRecordOf, storedNodeRecord } from './membership-record.js';

/**
 * The in-process Membership: one node, which lists itself. Right for a single node (the
 * embedded default); a cluster shares the etcd adapter.
 */
export class MemoryMembership implements Membership {
  #node: NodeRecord | undefined;
  #closed = false;

  async register(node: NodeRecord): Promise<void> {
    if (this.#closed) throw new Error('The membership is closed: the node cannot register.');
    this.#node = storedNodeRecord(node);
  }

  async list(): Promise<NodeRecord[]> {
    return this.#node === undefined ? [] : [nodeRecordOf(this.#node)];
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.#closed = true;
    this.#node = undefined;
  }
}
