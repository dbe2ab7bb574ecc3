import { describe, expect, it } from 'vitest';
import type { Bus, BusHandler, BusMessage } from '../../ports/bus.js';
import type { GatewayConnection } from './gateway-connection.js';
import { Hub } from './hub.js';

/** A bus that counts subscriptions and unsubscriptions made within each event-loop turn. */
class CountingBus implements Bus {
  readonly #handlers = new Map<string, Set<BusHandler>>();
  perTurn: number[] = [0];
  live = 0;
  publish(topic: string, message: BusMessage): void {
    for (const handler of this.#handlers.get(topic) ?? []) handler(message);
  }
  subscribe(topic: string, handler: BusHandler): () => void {
    this.#count();
    this.live++;
    const handlers = this.#handlers.get(topic) ?? new Set<BusHandler>();
    this.#handlers.set(topic, handlers.add(handler));
    return () => {
      this.#count();
      this.live--;
      handlers.delete(handler);
    };
  }
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
  #count(): void {
    this.perTurn[this.perTurn.length - 1] = (this.perTurn.at(-1) ?? 0) + 1;
  }
}

function fakeConnection(userId: string) {
  const sent: string[] = [];
  const conn = {
    id: `c-${userId}`,
    auth: { userId, sessionId: 's', deviceId: 'd', isGuest: false },
    topics: new Set<string>(),
    send: (frame: unknown) => {
      sent.push(String((frame as { payload?: Buffer }).payload ?? frame));
      return true;
    },
    close: () => undefined,
  };
  return { conn: conn as unknown as GatewayConnection, sent };
}

describe('Hub', () => {
  it('subscribes and unsubscribes a user in many conversations a bounded chunk per turn', async () => {
    const bus = new CountingBus();
    const turn = () => {
      bus.perTurn.push(0);
      return new Promise<void>((resolve) => setImmediate(resolve));
    };
    const hub = new Hub(bus, { topicsPerTurn: 100, nextTurn: turn });
    const ids = Array.from({ length: 1_050 }, (_, i) => `g_${i}`);
    const { conn } = fakeConnection('u1');

    expect(await hub.add(conn, ids)).toBe(true);
    expect(bus.live).toBe(1 + ids.length);
    expect(Math.max(...bus.perTurn)).toBeLessThanOrEqual(101); // the user topic + one chunk
    expect(bus.perTurn.filter((n) => n > 0).length).toBeGreaterThanOrEqual(11);

    bus.perTurn = [0];
    hub.remove(conn);
    expect(hub.count()).toBe(0);
    while (bus.live > 0) await new Promise((resolve) => setImmediate(resolve));
    expect(Math.max(...bus.perTurn)).toBeLessThanOrEqual(100);
  });

  it('leaves nothing subscribed when the connection goes away while subscribing', async () => {
    const bus = new CountingBus();
    const hub = new Hub(bus, { topicsPerTurn: 10 });
    const { conn } = fakeConnection('u2');
    const adding = hub.add(
      conn,
      Array.from({ length: 100 }, (_, i) => `g_${i}`),
    );
    hub.remove(conn);
    expect(await adding).toBe(false);
    while (bus.live > 0) await new Promise((resolve) => setImmediate(resolve));
    expect(bus.live).toBe(0);
  });

  it('delivers to every subscribed connection once subscribed', async () => {
    const bus = new CountingBus();
    const hub = new Hub(bus, { topicsPerTurn: 7 });
    const a = fakeConnection('a');
    const b = fakeConnection('b');
    await hub.add(a.conn, ['g_1', 'g_2']);
    await hub.add(
      b.conn,
      Array.from({ length: 50 }, (_, i) => `g_${i}`),
    );
    bus.publish('conv:g_1', { frame: Buffer.from('{"event":"x"}') });
    bus.publish('conv:g_49', { frame: Buffer.from('{"event":"y"}') });
    expect(a.sent).toEqual(['{"event":"x"}']);
    expect(b.sent).toEqual(['{"event":"x"}', '{"event":"y"}']);
  });

  it("takes one account's updates from every connection of the user it is withdrawn from", async () => {
    const bus = new CountingBus();
    const hub = new Hub(bus);
    const [phone, laptop, other] = [fakeConnection('u'), fakeConnection('u'), fakeConnection('v')];
    for (const c of [phone, laptop, other]) {
      await hub.add(c.conn, []);
      hub.joinTopic(c.conn, 'bridge:acc');
    }
    hub.joinTopic(phone.conn, 'bridge:kept');
    const tablet = fakeConnection('u'); // the user's, not following the account
    await hub.add(tablet.conn, []);
    bus.publish('user:u', { control: { kind: 'unsubscribe-bridge', accountId: 'acc' } });
    bus.publish('bridge:acc', { frame: Buffer.from('{"event":"a"}') });
    bus.publish('bridge:kept', { frame: Buffer.from('{"event":"k"}') });
    // Each connection that followed the account is told, once; one that did not, nothing.
    const ended = JSON.stringify({
      event: 'bridge.unsubscribed',
      data: { account_id: 'acc', reason: 'GRANT_WITHDRAWN' },
    });
    expect(phone.sent).toEqual([ended, '{"event":"k"}']);
    expect(laptop.sent).toEqual([ended]);
    expect(tablet.sent).toEqual([]);
    bus.publish('user:u', { control: { kind: 'unsubscribe-bridge', accountId: 'acc' } });
    expect(laptop.sent).toEqual([ended]);
    expect(other.sent).toEqual(['{"event":"a"}']);
    expect([...phone.conn.topics].sort()).toEqual(['bridge:kept', 'user:u']);
    expect([...laptop.conn.topics]).toEqual(['user:u']);
    // The last local follower leaving ends the node's bus subscription to the account.
    hub.leaveTopic(other.conn, 'bridge:acc');
    expect(bus.live).toBe(3); // user:u, user:v and bridge:kept; no more bridge:acc
  });
});
