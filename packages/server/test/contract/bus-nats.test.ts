import { randomUUID } from 'node:crypto';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { NatsBus, type NatsBusOptions } from '../../src/adapters/bus/bus-nats.js';
import { connectNats } from '../../src/adapters/bus/nats-connection.js';
import type { BusMessage } from '../../src/ports/bus.js';
import { BUS_META_HEADER } from '../../src/protocol/bus-codec.js';
import { TEST_NATS_MAX_PAYLOAD } from '../support/nats-server.js';
import { describeBusContract } from './bus.contract.js';

const natsUrl = inject('natsUrl');

// Every bus is a node of its own (its own connection); a test's network is a subject prefix.
describeBusContract(
  'nats',
  async (network) => {
    const link = await connectNats({ url: natsUrl, name: `parley-test-${network}` });
    return new NatsBus(link, { subjectPrefix: `t${network}`, ownsConnection: true });
  },
  { spansNodes: true },
);

describe('NatsBus on a real nats-server', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((o) => o.close()));
  });

  async function open(options: NatsBusOptions = {}) {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const link = await connectNats({ url: natsUrl, name: 'parley-test' });
    const bus = new NatsBus(link, { subjectPrefix: prefix, ...options });
    opened.push(bus, link);
    return { bus, link, prefix };
  }

  it('drops and reports a malformed message, and goes on delivering', async () => {
    const malformed: Array<{ reason: string; subject: string }> = [];
    const { bus, prefix } = await open({
      onMalformed: (reason, subject) => malformed.push({ reason, subject }),
    });
    // Another node: a connection has no echo, so its own raw messages would not come back.
    const other = await connectNats({ url: natsUrl, name: 'parley-test-other' });
    const sender = new NatsBus(other, { subjectPrefix: prefix });
    opened.push(sender, other);
    const got: BusMessage[] = [];
    bus.subscribe('user:x', (m) => got.push(m));
    const raw = (meta: string, payload = 'frame') => {
      const h = headers();
      h.set(BUS_META_HEADER, meta);
      other.connection.publish(`${prefix}.user.x`, payload, { headers: h });
    };
    raw('{not json');
    raw('{"control":{"kind":"explode"}}');
    raw('{"exceptConnection":["c1"]}');
    raw('{"frame":false}', 'a payload it says is not there');
    raw('{"control":{"kind":"close-session","sessionId":"s","code":99,"reason":""}}');
    sender.publish('user:x', { frame: Buffer.from('fine'), exceptUser: 'u1' });
    await vi.waitFor(() => expect(got).toHaveLength(1));
    expect(got[0]?.frame?.toString()).toBe('fine');
    expect(malformed).toHaveLength(5);
    expect(malformed.every((m) => m.subject === `${prefix}.user.x`)).toBe(true);
    expect(malformed[0]?.reason).toMatch(/not JSON/);
    expect(malformed[1]?.reason).toMatch(/control/);
    expect(bus.stats()).toMatchObject({ malformed: 5, received: 6 });
  });

  it('reports handler errors and keeps one NATS subscription per topic', async () => {
    const errors: Array<{ err: unknown; topic: string }> = [];
    const { bus, link } = await open({
      onHandlerError: (err, topic) => errors.push({ err, topic }),
    });
    const before = subscriptionCount(link.connection);
    const got: string[] = [];
    const stops = [
      bus.subscribe('conv:c', () => {
        throw new Error('boom');
      }),
      bus.subscribe('conv:c', (m) => got.push(m.frame?.toString() ?? '')),
      bus.subscribe('conv:c', () => {}),
    ];
    expect(bus.topicCount()).toBe(1);
    expect(subscriptionCount(link.connection)).toBe(before + 1);
    bus.publish('conv:c', { frame: Buffer.from('m') });
    await vi.waitFor(() => expect(got).toEqual(['m']));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.topic).toBe('conv:c');
    expect((errors[0]?.err as Error).message).toBe('boom');
    for (const stop of stops) stop();
    expect(bus.topicCount()).toBe(0);
    expect(subscriptionCount(link.connection)).toBe(before);
  });

  it('carries a 4 MiB frame, and drops and reports one over max_payload instead of throwing', async () => {
    const dropped: string[] = [];
    const { bus, link, prefix } = await open({ onDropped: (reason) => dropped.push(reason) });
    expect(link.maxPayload()).toBe(TEST_NATS_MAX_PAYLOAD);
    // Received by another node, so that the frames cross NATS.
    const other = await connectNats({ url: natsUrl, name: 'parley-test-other' });
    const receiver = new NatsBus(other, { subjectPrefix: prefix });
    opened.push(receiver, other);
    const got: Buffer[] = [];
    receiver.subscribe('user:big', (m) => got.push(m.frame ?? Buffer.alloc(0)));
    await other.connection.flush();
    const big = Buffer.alloc(4 * 1024 * 1024, 7);
    bus.publish('user:big', { frame: Buffer.alloc(TEST_NATS_MAX_PAYLOAD + 1) });
    bus.publish('user:big', { frame: big, exceptUser: 'u' });
    await vi.waitFor(() => expect(got).toHaveLength(1));
    expect(got[0]?.equals(big)).toBe(true);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatch(/exceeds NATS max_payload \(8388608 bytes\)/);
    expect(bus.stats()).toMatchObject({ published: 1, dropped: 1 });
  });

  it("hands the process's own messages to its subscribers at once, without NATS", async () => {
    const { bus, link, prefix } = await open();
    const other = await connectNats({ url: natsUrl, name: 'parley-test-other' });
    const remote = new NatsBus(other, { subjectPrefix: prefix });
    opened.push(remote, other);
    const local: string[] = [];
    const far: string[] = [];
    bus.subscribe('user:me', (m) => local.push(m.frame?.toString() ?? ''));
    remote.subscribe('user:me', (m) => far.push(m.frame?.toString() ?? ''));
    await other.connection.flush();
    bus.publish('user:me', { frame: Buffer.from('hello'), exceptConnection: 'c1' });
    expect(local).toEqual(['hello']);
    await vi.waitFor(() => expect(far).toEqual(['hello']));
    // The server answers a flush after everything sent before it: an echo would be here by now.
    await link.connection.flush();
    expect(local).toEqual(['hello']);
    expect(bus.stats()).toMatchObject({ published: 1, received: 0 });
  });

  it('drops and counts what is published once the connection is closed', async () => {
    const dropped: string[] = [];
    const { bus, link } = await open({ onDropped: (reason) => dropped.push(reason) });
    await link.close();
    expect(() => bus.publish('user:1', { frame: Buffer.from('x') })).not.toThrow();
    expect(dropped).toEqual(['the NATS connection is closed']);
    await expect(bus.ping()).rejects.toThrow(/closed/);
  });

  it('does not close a connection it does not own', async () => {
    const { bus, link } = await open();
    await bus.close();
    expect(link.state()).toBe('connected');
    await expect(link.ping()).resolves.toBeUndefined();
    await expect(bus.ping()).rejects.toThrow(/bus is closed/);
    expect(() => bus.subscribe('user:1', () => {})).toThrow(/bus is closed/);
  });
});

/** Subscriptions the client holds on the server (the driver's own count). */
function subscriptionCount(connection: NatsConnection): number {
  return (
    connection as unknown as { protocol: { subscriptions: { size(): number } } }
  ).protocol.subscriptions.size();
}
