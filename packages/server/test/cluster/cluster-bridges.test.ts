/**
 * Bridges on the cluster shape: a worker pushes to the api node over Socket.IO, and a client on
 * a gateway, another process, gets `bridge.updated` through the bus (NATS) until its grant is
 * withdrawn on the api node.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../support/postgres-server.js';
import { ADMIN_TOKEN, startCluster, type Cluster } from '../support/cluster.js';
import { SocketIoWorker } from '../support/socketio-worker.js';
import type { Frame } from '../support/ws-test-client.js';
import { call, connect, register } from './cluster-client.js';

describe('bridges on a cluster of a gateway and an api node (postgres)', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({
      databaseUrl: await createDatabase(inject('postgresUrl')),
      nodes: [
        { name: 'gw-1', role: 'gateway' },
        { name: 'api-1', role: 'api' },
      ],
    });
  }, 120_000);
  afterAll(() => cluster?.stop());

  it('delivers a worker’s changes to a subscriber on another node', async () => {
    const api = cluster.node('api-1').url;
    const created = await call(api, 'POST', '/v1/admin/worker-tokens', ADMIN_TOKEN, {
      name: 'crawler',
    });
    const reader = await register(api, 'reader');
    await call(api, 'POST', '/v1/bridge/accounts/acc-c/grants', ADMIN_TOKEN, {
      user_id: reader.user.user_id,
    });
    const ws = await connect(cluster.node('gw-1').url, reader);
    const worker = await SocketIoWorker.connect(api, created.token);
    try {
      await ws.call('bridge.subscribe', { account_id: 'acc-c' });
      const ack = await worker.sync({
        accountId: 'acc-c',
        platform: 'douyin',
        mode: 'delta',
        timestamp: 1,
        snapshot: {
          platform: 'douyin',
          data: { messages: [{ id: 'm1', conversationId: 'c1', content: 'hi', createdAt: 7 }] },
        },
      });
      expect(ack.payload.success).toBe(true);
      const event = await ws.next((f) => f.event === 'bridge.updated', 10_000);
      expect(event.data).toEqual({
        account_id: 'acc-c',
        kind: 'message',
        items: [expect.objectContaining({ msg_id: 'm1', content: 'hi', create_time: 7 })],
      });
    } finally {
      worker.close();
      ws.close();
    }
  }, 60_000);

  it('ends the live updates of a user whose grant is withdrawn on another node', async () => {
    const api = cluster.node('api-1').url;
    const created = await call(api, 'POST', '/v1/admin/worker-tokens', ADMIN_TOKEN, {
      name: 'crawler-w',
    });
    const [reader, peer] = [await register(api, 'reader'), await register(api, 'peer')];
    for (const who of [reader, peer]) {
      await call(api, 'POST', '/v1/bridge/accounts/acc-w/grants', ADMIN_TOKEN, {
        user_id: who.user.user_id,
      });
    }
    const gateway = cluster.node('gw-1').url;
    const [ws, peerWs] = [await connect(gateway, reader), await connect(gateway, peer)];
    const worker = await SocketIoWorker.connect(api, created.token);
    const push = async (id: string, timestamp: number) => {
      const ack = await worker.sync({
        accountId: 'acc-w',
        platform: 'douyin',
        mode: 'delta',
        timestamp,
        snapshot: {
          platform: 'douyin',
          data: { messages: [{ id, conversationId: 'c1', content: id, createdAt: timestamp }] },
        },
      });
      expect(ack.payload.success).toBe(true);
    };
    const updated = (id: string) => (f: Frame) =>
      f.event === 'bridge.updated' && f.data.items[0]?.msg_id === id;
    try {
      for (const c of [ws, peerWs]) await c.call('bridge.subscribe', { account_id: 'acc-w' });
      await push('before', 1);
      await Promise.all([ws, peerWs].map((c) => c.next(updated('before'), 10_000)));
      const withdrawn = await call(
        api,
        'DELETE',
        `/v1/bridge/accounts/acc-w/grants/${reader.user.user_id}`,
        ADMIN_TOKEN,
      );
      expect(withdrawn).toEqual({
        grant: { account_id: 'acc-w', user_id: reader.user.user_id },
        revoked: true,
      });
      // The reader's connection on the gateway is told its subscription ended.
      expect(await ws.next((f) => f.event === 'bridge.unsubscribed', 10_000)).toEqual({
        event: 'bridge.unsubscribed',
        data: { account_id: 'acc-w', reason: 'GRANT_WITHDRAWN' },
      });
      await push('after', 2);
      // The gateway hands a frame to all its subscribers at once: once the peer has it, the
      // reader would have had it before the reply to a later ping.
      await peerWs.next(updated('after'), 10_000);
      await ws.call('ping');
      expect(ws.events('bridge.updated').map((f) => f.data.items[0].msg_id)).toEqual(['before']);
      expect(peerWs.events('bridge.unsubscribed')).toEqual([]);
    } finally {
      worker.close();
      ws.close();
      peerWs.close();
    }
  }, 60_000);
});
