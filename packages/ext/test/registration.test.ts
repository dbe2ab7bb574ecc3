import { afterAll, describe, expect, it } from 'vitest';
import { accept, serveExtension } from '../src/index.js';
import { startChild } from './support/child.js';
import {
  etcdClient,
  etcdEndpoint,
  leaseOf,
  readPrefix,
  revokeLease,
  uniquePrefix,
  waitUntil,
} from './support/etcd.js';
import { callHandle, extClient, request } from './support/grpc.js';

const etcd = etcdClient();
afterAll(() => etcd.close());

describe('the registration lease', () => {
  it('registers every key again under a new lease when the lease is lost', async () => {
    const keyPrefix = uniquePrefix();
    const logs: string[] = [];
    const ext = await serveExtension({
      types: {
        a: { mode: 'sync', handle: () => accept() },
        b: { mode: 'async', handleAsync: () => accept() },
      },
      etcd: { endpoints: [etcdEndpoint()], keyPrefix, leaseTtlSeconds: 2 },
      logger: (level, message) => logs.push(`${level} ${message}`),
    });
    try {
      const [keyA, keyB] = ext.keys as [string, string];
      const first = (await leaseOf(etcd, keyA))!;
      await revokeLease(first);
      const second = await waitUntil('both keys under a new lease', async () => {
        const [a, b] = await Promise.all([leaseOf(etcd, keyA), leaseOf(etcd, keyB)]);
        return a !== undefined && a !== first && a === b ? a : undefined;
      });
      expect(second).not.toBe('0');
      expect(logs).toContain('warn etcd lease lost; registering again');
      // No timeout set: none registered, so Parley's per-type policy applies.
      expect(JSON.parse((await readPrefix(etcd, keyPrefix))[keyA]!)).toEqual({
        addr: ext.addr,
        mode: 'sync',
        weight: 1,
        tags: {},
      });
    } finally {
      await ext.close();
    }
    expect(await readPrefix(etcd, keyPrefix)).toEqual({});
  });

  it('lets the keys of a killed process expire by themselves (SIGKILL: no close)', async () => {
    const keyPrefix = uniquePrefix();
    const child = startChild(process.execPath, [
      'packages/ext/test/fixtures/serve-until-killed.mjs',
      etcdEndpoint(),
      keyPrefix,
    ]);
    try {
      const { addr, keys } = JSON.parse(await child.waitFor(/SERVING (\{.*\})\n/)) as {
        addr: string;
        keys: string[];
      };
      expect(Object.keys(await readPrefix(etcd, keyPrefix))).toEqual(keys);
      expect(await callHandle(extClient(addr), request('kill.me', {}))).toMatchObject({
        accept: true,
      });
      child.kill('SIGKILL');
      expect(await child.exited).toBe('SIGKILL');
      // TTL 2 s: etcd expires the lease once no keepalive came for that long.
      await waitUntil('the keys to expire', async () =>
        Object.keys(await readPrefix(etcd, keyPrefix)).length === 0 ? true : undefined,
      );
    } finally {
      child.kill('SIGKILL');
    }
  });
});
