/**
 * Bridges on the cluster shape: a worker pushes to the api node over Socket.IO, and a client on
 * a gateway, another process, gets `bridge.updated` through the bus (NATS).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../support/postgres-server.js';
import { ADMIN_TOKEN, startCluster, type Cluster } from '../support/cluster.js';
import { SocketIoWorker } from '../support/socketio-worker.js';
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
});
