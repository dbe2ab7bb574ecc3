/**
 * The NATS connection through a server restart, on a nats-server of its own (the run's shared
 * one must not go away under the other tests), left at nats-server's default max_payload.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NatsBus } from '../../src/adapters/bus/bus-nats.js';
import { connectNats, type NatsLinkState } from '../../src/adapters/bus/nats-connection.js';
import { startNats, type NatsServer } from '../support/nats-server.js';
import { freePort } from '../support/ports.js';

describe('connectNats', () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNats({ maxPayload: 1024 * 1024 });
  });
  afterAll(async () => {
    await server.dispose();
  });

  it('fails at start with a message naming PARLEY_NATS_URL when no server is there', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    await expect(connectNats({ url, name: 'parley-test' })).rejects.toThrow(
      `Cannot connect to NATS at ${url} (PARLEY_NATS_URL)`,
    );
  });

  it('is not ready while the server is away, and delivers again once it is back', async () => {
    const states: NatsLinkState[] = [];
    const link = await connectNats({
      url: server.url,
      name: 'parley-test',
      reconnectWaitMs: 100,
      onStatus: (state) => states.push(state),
    });
    const bus = new NatsBus(link, { subjectPrefix: 'restart', ownsConnection: true });
    const changes: NatsLinkState[] = [];
    link.onChange((state) => changes.push(state));
    const linkUp: boolean[] = [];
    bus.onLinkChange((up) => linkUp.push(up));
    try {
      const got: string[] = [];
      bus.subscribe('user:1', (m) => got.push(m.frame?.toString() ?? ''));
      await link.ping();

      await server.stop();
      await vi.waitFor(() => expect(link.state()).toBe('reconnecting'));
      await expect(link.ping()).rejects.toThrow(/is reconnecting/);
      await expect(bus.ping()).rejects.toThrow(/is reconnecting/);

      await server.restart();
      await vi.waitFor(() => expect(link.state()).toBe('connected'), { timeout: 10_000 });
      await expect(bus.ping()).resolves.toBeUndefined();
      expect(states).toContain('reconnecting');
      expect(states.at(-1)).toBe('connected');
      // The client subscribes again by itself after the reconnect.
      bus.publish('user:1', { frame: Buffer.from('after restart') });
      await vi.waitFor(() => expect(got).toEqual(['after restart']));
      // Each change once, however many statuses came (a gateway resyncs its clients on them).
      expect(changes).toEqual(['reconnecting', 'connected']);
      expect(linkUp).toEqual([false, true]);
    } finally {
      await bus.close();
    }
    expect(link.state()).toBe('closed');
    // The bus's own close is no lost link.
    await vi.waitFor(() => expect(changes.at(-1)).toBe('closed'));
    expect(linkUp).toEqual([false, true]);
  });

  it("drops a message over the server's default max_payload of 1 MiB", async () => {
    const link = await connectNats({ url: server.url, name: 'parley-test' });
    const dropped: string[] = [];
    const bus = new NatsBus(link, {
      subjectPrefix: 'size',
      ownsConnection: true,
      onDropped: (reason) => dropped.push(reason),
    });
    try {
      expect(link.maxPayload()).toBe(1024 * 1024);
      bus.publish('user:1', { frame: Buffer.alloc(2 * 1024 * 1024) });
      expect(dropped).toEqual([
        'the message (2097152 bytes) exceeds NATS max_payload (1048576 bytes)',
      ]);
    } finally {
      await bus.close();
    }
  });
});
