import { MsgStatus } from '@parley/proto';
import { Etcd3 } from 'etcd3';
import { describe, expect, inject, it } from 'vitest';
import { e2eServersPerTest } from '../support/e2e-fixture.js';
import { generated, startTestExtension } from '../support/test-extension.js';
import { eventually } from '../support/ws-test-client.js';

const run = `${process.pid}${Date.now().toString(36)}`;

describe('extension services discovered in etcd', () => {
  const { start, onClose } = e2eServersPerTest();

  async function setup() {
    const endpoint = inject('etcdEndpoint');
    const etcd = new Etcd3({ hosts: [endpoint] });
    onClose(() => etcd.close());
    const t = await start('sqlite', { etcd_endpoints: endpoint });
    const { server } = t;
    const alice = await t.account('alice');
    const bob = await t.account('bob');
    const ws = await t.connect(alice);
    let n = 0;
    const send = (type: string) =>
      ws.request('message.send', {
        to_user_id: bob.user.user_id,
        client_msg_id: `m${n++}`,
        type,
        content: { n },
      });
    return { etcd, server, send };
  }

  const record = (addr: string, weight = 1, tags: Record<string, string> = {}) =>
    JSON.stringify({ addr, mode: 'sync', timeout_ms: 500, weight, tags });

  it('routes to an instance once its lease-held key appears, and stops within 2 s after the lease ends', async () => {
    const { etcd, send } = await setup();
    const type = `disc.a${run}`;
    const ext = await startTestExtension(() => ({ accept: true, status: MsgStatus.MSG_SUCCESS }));
    onClose(() => ext.close());
    expect((await send(type)).error?.code).toBe('INVALID_ARGUMENT');

    const lease = etcd.lease(2, { autoKeepAlive: false });
    await lease.put(`/parley/ext/services/${type}/one`).value(record(ext.addr));
    const appeared = Date.now();
    await eventually(async () => (await send(type)).ok === true, 2_000);
    expect(Date.now() - appeared).toBeLessThan(2_000);

    // Without keepalive the lease ends on its own; Parley forgets the instance.
    await eventually(
      async () => (await etcd.get(`/parley/ext/services/${type}/one`).string()) === null,
      10_000,
    );
    const expired = Date.now();
    await eventually(async () => (await send(type)).error?.code === 'INVALID_ARGUMENT', 2_000);
    expect(Date.now() - expired).toBeLessThan(2_000);
  });

  it('passthrough: delivers pending while the service is away, then handles it when it is back, once', async () => {
    const { etcd, server, send } = await setup();
    const type = `disc.p${run}`;
    await etcd.put(`/parley/ext/config/${type}`).value(JSON.stringify({ degrade: 'passthrough' }));
    onClose(async () => {
      await etcd.delete().key(`/parley/ext/config/${type}`);
    });
    await eventually(async () => (await send(type)).error?.code !== 'INVALID_ARGUMENT', 2_000);
    const pending = await send(type);
    expect(pending.data.message.status).toBe('pending');

    const ext = await startTestExtension((m) => ({
      accept: true,
      status: MsgStatus.MSG_SUCCESS,
      generated: [generated('text', { text: `done ${m.msgId}` })],
    }));
    onClose(() => ext.close());
    const lease = etcd.lease(10);
    onClose(async () => {
      await lease.revoke();
    });
    await lease.put(`/parley/ext/services/${type}/one`).value(record(ext.addr));
    const id = pending.data.message.message_id as string;
    await eventually(
      async () => (await server.parley.store.messages.findById(id))?.status === 'sent',
      10_000,
    );
    const notice = await server.parley.store.messages.findById(`${id}-g0`);
    expect(notice?.content).toBe(JSON.stringify({ text: `done ${id}` }));
    // Handled once for this message, however many retry rounds ran.
    expect(ext.calls.filter((c) => c.msgId === id)).toHaveLength(1);
  });

  it('deregistration is reflected within 2 s', async () => {
    const { etcd, send } = await setup();
    const type = `disc.b${run}`;
    const ext = await startTestExtension(() => ({ accept: true, status: MsgStatus.MSG_SUCCESS }));
    onClose(() => ext.close());
    const lease = etcd.lease(10);
    await lease.put(`/parley/ext/services/${type}/one`).value(record(ext.addr));
    await eventually(async () => (await send(type)).ok === true, 2_000);
    await lease.revoke();
    const gone = Date.now();
    await eventually(async () => (await send(type)).error?.code === 'INVALID_ARGUMENT', 2_000);
    expect(Date.now() - gone).toBeLessThan(2_000);
  });

  it('shares load by weight, and routes by the type policy tags for a gray release', async () => {
    const { etcd, send } = await setup();
    const type = `disc.c${run}`;
    const light = await startTestExtension(() => ({ accept: true, status: MsgStatus.MSG_SUCCESS }));
    const heavy = await startTestExtension(() => ({ accept: true, status: MsgStatus.MSG_SUCCESS }));
    onClose(
      () => light.close(),
      () => heavy.close(),
    );
    const lease = etcd.lease(10);
    onClose(async () => {
      await lease.revoke();
    });
    await lease
      .put(`/parley/ext/services/${type}/light`)
      .value(record(light.addr, 1, { version: 'v1' }));
    await lease
      .put(`/parley/ext/services/${type}/heavy`)
      .value(record(heavy.addr, 4, { version: 'v2' }));
    await eventually(async () => (await send(type)).ok === true, 2_000);
    light.calls.length = 0;
    heavy.calls.length = 0;
    for (let i = 0; i < 200; i++) expect((await send(type)).ok).toBe(true);
    // Expected 40 / 160; the bounds are far outside what chance produces (p < 1e-6).
    expect(light.calls.length).toBeGreaterThan(15);
    expect(light.calls.length).toBeLessThan(75);
    expect(light.calls.length + heavy.calls.length).toBe(200);

    await etcd
      .put(`/parley/ext/config/${type}`)
      .value(JSON.stringify({ degrade: 'reject', tags: { version: 'v1' } }));
    await new Promise((r) => setTimeout(r, 300));
    light.calls.length = 0;
    heavy.calls.length = 0;
    for (let i = 0; i < 30; i++) expect((await send(type)).ok).toBe(true);
    expect([light.calls.length, heavy.calls.length]).toEqual([30, 0]);
    await etcd.delete().key(`/parley/ext/config/${type}`);
  });
});
