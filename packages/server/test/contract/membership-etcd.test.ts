import { randomUUID } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { EtcdMembership, type MembershipLog } from '../../src/adapters/registry/membership-etcd.js';
import type { Membership } from '../../src/ports/membership.js';
import { freePort } from '../support/ports.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import {
  describeMembershipContract,
  listUntil,
  node,
  type MembershipFixture,
} from './membership.contract.js';

/** Other test files share this etcd: each fixture keeps to a prefix of its own. */
function etcdFixture(): MembershipFixture & { prefix: string; admin: Etcd3 } {
  const endpoint = inject('etcdEndpoint');
  const prefix = `/parley-test/${randomUUID()}/nodes/`;
  const admin = new Etcd3({ hosts: [endpoint] });
  const made = new Map<Membership, { client: Etcd3; proxy: TcpProxy }>();
  return {
    prefix,
    admin,
    async make(options = {}) {
      // A client per node, as in separate processes, each through a proxy that can cut it off
      // (closing an etcd3 client leaves its lease keepalive stream running).
      const proxy = await startTcpProxy(endpoint);
      const client = new Etcd3({ hosts: [proxy.endpoint] });
      const membership = new EtcdMembership({
        client,
        keyPrefix: prefix,
        requestTimeoutMs: 1_000,
        ...options,
      });
      made.set(membership, { client, proxy });
      return membership;
    },
    async crash(membership) {
      await made.get(membership)?.proxy.cut();
    },
    async dispose() {
      for (const [membership, { client, proxy }] of made) {
        await membership.close();
        client.close();
        await proxy.cut();
      }
      await admin.delete().prefix(prefix);
      admin.close();
    },
  };
}

describeMembershipContract('etcd', async () => etcdFixture(), { cluster: true });

describe('EtcdMembership', () => {
  const open: Array<{ dispose(): Promise<void> }> = [];
  afterEach(async () => {
    for (const f of open.splice(0)) await f.dispose();
  });

  it('stores the record as JSON under <prefix><node_id>', async () => {
    const f = etcdFixture();
    open.push(f);
    const membership = await f.make();
    await membership.register(node('n1'));
    const stored = await f.admin.get(`${f.prefix}n1`).string();
    expect(JSON.parse(stored ?? 'null')).toEqual(node('n1'));
  });

  it('registers again under a new lease when its lease is lost', async () => {
    const f = etcdFixture();
    open.push(f);
    const membership = await f.make({ ttlSeconds: 2 });
    await membership.register(node('n1'));
    const key = `${f.prefix}n1`;
    const first = (await f.admin.get(key).exec()).kvs[0]?.lease;
    expect(first).toBeDefined();
    // What an etcd restart that lost the lease looks like to the node: the lease is gone.
    await f.admin.leaseClient.leaseRevoke({ ID: first! });
    expect(await f.admin.get(key).string()).toBeNull();
    const observer = await f.make();
    await listUntil(observer, (nodes) => nodes.length === 1);
    const second = (await f.admin.get(key).exec()).kvs[0]?.lease;
    expect(second).toBeDefined();
    expect(String(second)).not.toBe(String(first));
    expect(await observer.list()).toEqual([node('n1')]);
  });

  it('leaves out records it cannot read, and says so', async () => {
    const f = etcdFixture();
    open.push(f);
    const warnings: string[] = [];
    const log: MembershipLog = {
      info: () => {},
      warn: (_fields, message) => warnings.push(message),
    };
    const membership = new EtcdMembership({ client: f.admin, keyPrefix: f.prefix, log });
    await membership.register(node('good'));
    await f.admin.put(`${f.prefix}garbage`).value('{not json');
    await f.admin.put(`${f.prefix}wrong-key`).value(JSON.stringify(node('other')));
    expect(await membership.list()).toEqual([node('good')]);
    expect(warnings).toEqual([
      'ignoring a node record that cannot be read',
      'ignoring a node record that cannot be read',
    ]);
    await membership.close();
  });

  it('rejects a register that etcd does not answer, and still closes', async () => {
    const port = await freePort();
    const membership = new EtcdMembership({
      endpoints: [`http://127.0.0.1:${port}`],
      requestTimeoutMs: 300,
      retryDelayMs: () => 60_000,
    });
    await expect(membership.register(node('n1'))).rejects.toThrow();
    await expect(membership.ping()).rejects.toThrow();
    await membership.close();
  });
});
