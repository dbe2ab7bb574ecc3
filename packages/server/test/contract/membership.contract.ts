/** The Membership contract, run against every adapter (membership-<engine>.test.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import type { Membership, NodeRecord } from '../../src/ports/membership.js';

export interface MembershipFixture {
  /** A membership for one node, as its process builds it (sharing the fixture's store). */
  make(options?: { ttlSeconds?: number }): Promise<Membership>;
  /**
   * Ends `membership` as a crash would: its connection goes, its lease is not revoked. Only
   * for adapters that span processes.
   */
  crash?(membership: Membership): Promise<void>;
  dispose(): Promise<void>;
}

export interface MembershipCapabilities {
  /** Instances made by one fixture see each other's nodes (false: each lists only itself). */
  readonly cluster: boolean;
}

export function node(nodeId: string, extra: Partial<NodeRecord> = {}): NodeRecord {
  return {
    node_id: nodeId,
    roles: ['gateway', 'api'],
    http_url: 'http://10.0.0.1:8080',
    grpc_addr: '10.0.0.1:9090',
    version: '0.1.0',
    started_at: '2025-11-20T10:00:00.000Z',
    ...extra,
  };
}

/** Polls `list` until `done` holds; a bounded wait, failing with the last list seen. */
export async function listUntil(
  membership: Membership,
  done: (nodes: NodeRecord[]) => boolean,
  timeoutMs = 15_000,
): Promise<NodeRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const nodes = await membership.list();
    if (done(nodes)) return nodes;
    if (Date.now() > deadline) {
      throw new Error(`membership did not reach the state; last seen ${JSON.stringify(nodes)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ids = (nodes: readonly NodeRecord[]) => nodes.map((n) => n.node_id);

export function describeMembershipContract(
  name: string,
  makeFixture: () => Promise<MembershipFixture>,
  capabilities: MembershipCapabilities,
) {
  describe(`Membership contract: ${name}`, () => {
    let fixture: MembershipFixture | undefined;
    const open = async () => {
      fixture = await makeFixture();
      return fixture;
    };
    afterEach(async () => {
      await fixture?.dispose();
      fixture = undefined;
    });

    it('lists nothing before a node registers, then the node as it registered', async () => {
      const f = await open();
      const membership = await f.make();
      expect(await membership.list()).toEqual([]);
      await membership.register(node('n1'));
      expect(await membership.list()).toEqual([node('n1')]);
      await membership.ping();
    });

    it('keeps the optional addresses optional and stores only the record fields', async () => {
      const f = await open();
      const membership = await f.make();
      const bare: NodeRecord = {
        node_id: 'worker-1',
        roles: ['worker'],
        version: '0.1.0',
        started_at: '2025-11-20T10:00:00Z',
      };
      await membership.register({ ...bare, extra: 'dropped' } as NodeRecord);
      expect(await membership.list()).toEqual([bare]);
    });

    it('replaces the record when the node registers again', async () => {
      const f = await open();
      const membership = await f.make();
      await membership.register(node('n1'));
      await membership.register(node('n1', { roles: ['worker'] }));
      expect(await membership.list()).toEqual([node('n1', { roles: ['worker'] })]);
    });

    it('refuses a record that other nodes could not read', async () => {
      const f = await open();
      const membership = await f.make();
      await expect(membership.register(node('a/b'))).rejects.toThrow(/node_id/);
      await expect(membership.register(node('n1', { started_at: 'yesterday' }))).rejects.toThrow(
        /started_at/,
      );
      expect(await membership.list()).toEqual([]);
    });

    it('refuses to register once closed, and closes twice safely', async () => {
      const f = await open();
      const membership = await f.make();
      await membership.register(node('n1'));
      await membership.close();
      await membership.close();
      await expect(membership.register(node('n1'))).rejects.toThrow(/closed/);
    });

    if (!capabilities.cluster) return;

    it('lists a node registered through another client, sorted by node id', async () => {
      const f = await open();
      const [a, b, observer] = await Promise.all([f.make(), f.make(), f.make()]);
      await b.register(node('node-b', { roles: ['worker'] }));
      await a.register(node('node-a'));
      expect(await observer.list()).toEqual([
        node('node-a'),
        node('node-b', { roles: ['worker'] }),
      ]);
      expect(ids(await a.list())).toEqual(['node-a', 'node-b']);
    });

    it('removes a node at once when it closes', async () => {
      const f = await open();
      const [a, b, observer] = await Promise.all([f.make(), f.make(), f.make()]);
      await a.register(node('node-a'));
      await b.register(node('node-b'));
      await a.close();
      expect(ids(await observer.list())).toEqual(['node-b']);
    });

    it('forgets a node that dies without closing once its lease expires', async () => {
      const f = await open();
      const dying = await f.make({ ttlSeconds: 1 });
      const [alive, observer] = await Promise.all([f.make(), f.make()]);
      await dying.register(node('dying'));
      await alive.register(node('alive'));
      expect(ids(await observer.list())).toEqual(['alive', 'dying']);
      await f.crash!(dying);
      const after = await listUntil(observer, (nodes) => nodes.length === 1);
      expect(ids(after)).toEqual(['alive']);
    });
  });
}
