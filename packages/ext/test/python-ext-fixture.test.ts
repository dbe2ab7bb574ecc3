// The Python extension fixture that the server's interop tests use
// (packages/server/test/fixtures/python-ext/ext_server.py): the contract from another language.
import { status } from '@grpc/grpc-js';
import { MsgStatus } from '@parley/proto';
import { afterAll, describe, expect, it } from 'vitest';
import { startChild } from './support/child.js';
import { etcdClient, etcdEndpoint, readPrefix, uniquePrefix } from './support/etcd.js';
import {
  callHandle,
  callHandleAsync,
  codeOf,
  contentOf,
  extClient,
  request,
} from './support/grpc.js';

const PYTHON = '/usr/bin/python3'; // Debian's, with python3-grpcio and python3-grpc-tools
const FIXTURE = 'packages/server/test/fixtures/python-ext/ext_server.py';
const etcd = etcdClient();
afterAll(() => etcd.close());

describe('the Python extension fixture', () => {
  it('serves py.echo over gRPC, registers in etcd, and deregisters on SIGTERM', async () => {
    const keyPrefix = uniquePrefix();
    const child = startChild(PYTHON, [
      FIXTURE,
      '0',
      '--etcd',
      etcdEndpoint(),
      '--ttl',
      '2',
      '--instance-id',
      'py-test',
      '--key-prefix',
      keyPrefix,
    ]);
    try {
      const port = await child.waitFor(/LISTENING (\d+)\n/, 60_000);
      const addr = `127.0.0.1:${port}`;

      const keys = await readPrefix(etcd, keyPrefix);
      expect(Object.keys(keys)).toEqual([`${keyPrefix}/py.echo/py-test`]);
      expect(JSON.parse(keys[`${keyPrefix}/py.echo/py-test`]!)).toEqual({
        addr,
        mode: 'sync',
        timeout_ms: 200,
        weight: 1,
        tags: {},
      });

      const client = extClient(addr);
      const req = request('py.echo', { text: 'héllo' });
      const res = await callHandle(client, req);
      expect(res).toMatchObject({ accept: true, status: MsgStatus.MSG_SUCCESS });
      expect(res.generated).toHaveLength(1);
      expect(res.generated[0]).toMatchObject({
        msgType: 'text',
        msgId: `${req.message!.msgId}-g0`,
      });
      expect(contentOf(res.generated[0]!)).toEqual({ text: 'echo: héllo' });

      expect(await codeOf(callHandle(client, request('other', {})))).toBe(status.UNIMPLEMENTED);
      const async = request('py.echo', { text: 'x' }, { callback: '127.0.0.1:1' });
      expect(await codeOf(callHandleAsync(client, async))).toBe(status.UNIMPLEMENTED);
      client.close();

      child.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      expect(await readPrefix(etcd, keyPrefix)).toEqual({});
    } finally {
      child.kill('SIGKILL');
    }
  });
});
