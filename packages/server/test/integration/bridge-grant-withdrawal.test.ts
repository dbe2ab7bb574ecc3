/**
 * Withdrawing a bridge grant on the cluster shape: nodes that share a bus (here one in-process
 * bus, as in cache-sync.test.ts) and a database. The withdrawal is made on one node; the user's
 * subscribed connections are on others, and the worker's change is published by a third.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/adapters/bus/bus-memory.js';
import { BridgeGrantService } from '../../src/app/bridges/bridge-grants.js';
import { BridgeReadService } from '../../src/app/bridges/bridge-read.js';
import type { BridgeGrantRepository, BridgeItemRepository } from '../../src/ports/bridge-store.js';
import { bridgeTopic, type Bus } from '../../src/ports/bus.js';
import type { UserRepository } from '../../src/ports/store.js';
import { bridgeOps } from '../../src/transports/ws/bridge-ops.js';
import type { GatewayConnection } from '../../src/transports/ws/gateway-connection.js';
import { Hub } from '../../src/transports/ws/hub.js';

/** The grants table every node reads (the database). */
function sharedGrants(): BridgeGrantRepository {
  const rows = new Set<string>();
  const key = (accountId: string, userId: string) => JSON.stringify([accountId, userId]);
  return {
    grant: async (a, u) => {
      if (rows.has(key(a, u))) return false;
      rows.add(key(a, u));
      return true;
    },
    revoke: async (a, u) => rows.delete(key(a, u)),
    isGranted: async (a, u) => rows.has(key(a, u)),
  };
}

/** A node's own link to the shared bus: it knows which topics this node listens on. */
function link(bus: Bus) {
  const listening = new Map<string, number>();
  const own: Bus = {
    publish: (topic, message) => bus.publish(topic, message),
    subscribe: (topic, handler) => {
      listening.set(topic, (listening.get(topic) ?? 0) + 1);
      const end = bus.subscribe(topic, handler);
      return () => {
        listening.set(topic, (listening.get(topic) ?? 1) - 1);
        end();
      };
    },
    ping: () => bus.ping(),
    close: async () => {},
  };
  return { own, listensTo: (topic: string) => (listening.get(topic) ?? 0) > 0 };
}

/** What one Parley process holds: its hub of connections and the use cases on the shared engines. */
function node(shared: Bus, grants: BridgeGrantRepository) {
  const { own: bus, listensTo } = link(shared);
  const hub = new Hub(bus);
  const items = { listAccounts: async () => [] } as unknown as BridgeItemRepository;
  const read = new BridgeReadService({ items, grants });
  const subscribe = new Map(bridgeOps({ read, hub })).get('bridge.subscribe')!;
  let n = 0;
  return {
    listensTo,
    grants: new BridgeGrantService({
      items,
      grants,
      users: { findById: async (id: string) => ({ id }) } as unknown as UserRepository,
      bus,
      clock: { now: () => 1 },
    }),
    async connect(userId: string) {
      const sent: string[] = [];
      const auth = { userId, sessionId: `s-${userId}`, isGuest: false, expiresAt: Infinity };
      const conn = {
        id: `c${n++}`,
        auth,
        topics: new Set<string>(),
        send: (frame: { payload: Buffer }) => sent.push(String(frame.payload)) > 0,
        close: () => undefined,
      } as unknown as GatewayConnection;
      await hub.add(conn, []);
      return {
        sent,
        subscribe: (accountId: string) =>
          subscribe.run({ account_id: accountId }, auth, {}, conn).then(
            () => 'ok',
            (err: { code?: string }) => err.code,
          ),
      };
    },
  };
}

/** What the node that committed a worker's batch publishes (BridgeLivePublisher's frame). */
const update = (bus: Bus, accountId: string, text: string) =>
  bus.publish(bridgeTopic(accountId), {
    frame: Buffer.from(
      JSON.stringify({ event: 'bridge.updated', data: { account_id: accountId, text } }),
    ),
  });

describe('withdrawing a bridge grant across nodes', () => {
  it("ends the user's subscriptions to that account on every node, and nothing else", async () => {
    const bus = new MemoryBus();
    const grants = sharedGrants();
    const [api, gw1, gw2] = [node(bus, grants), node(bus, grants), node(bus, grants)];
    await api.grants.grant('acc', 'u');
    await api.grants.grant('kept', 'u');
    await api.grants.grant('acc', 'v');
    const onGw1 = await gw1.connect('u');
    const [onGw2, alsoOnGw2] = [await gw2.connect('u'), await gw2.connect('u')];
    const peer = await gw2.connect('v');
    for (const c of [onGw1, onGw2, alsoOnGw2, peer]) expect(await c.subscribe('acc')).toBe('ok');
    expect(await onGw2.subscribe('kept')).toBe('ok');
    update(bus, 'acc', 'before');

    expect(await api.grants.revoke('acc', 'u')).toBe(true);
    update(bus, 'acc', 'after');
    update(bus, 'kept', 'other account');

    // Updates by their text; the end of a subscription as `ended <account>`.
    const texts = (c: { sent: string[] }) =>
      c.sent.map((f) => {
        const { event, data } = JSON.parse(f) as {
          event: string;
          data: { text: string; account_id: string; reason?: string };
        };
        return event === 'bridge.unsubscribed'
          ? `ended ${data.account_id} ${data.reason}`
          : data.text;
      });
    const ended = 'ended acc GRANT_WITHDRAWN';
    expect(texts(onGw1)).toEqual(['before', ended]);
    expect(texts(onGw2)).toEqual(['before', ended, 'other account']);
    expect(texts(alsoOnGw2)).toEqual(['before', ended]);
    expect(texts(peer)).toEqual(['before', 'after']);
    // gw-1 no longer listens to the account at all; gw-2 does, for the peer.
    expect([gw1.listensTo('bridge:acc'), gw2.listensTo('bridge:acc')]).toEqual([false, true]);
    expect(await onGw1.subscribe('acc')).toBe('PERMISSION_DENIED');
    // Withdrawing again changes nothing and says so; granting again lets the user follow it.
    expect(await api.grants.revoke('acc', 'u')).toBe(false);
    expect(texts(peer)).toEqual(['before', 'after']);
    await gw1.grants.grant('acc', 'u');
    expect(await onGw1.subscribe('acc')).toBe('ok');
    update(bus, 'acc', 'granted again');
    expect(texts(onGw1)).toEqual(['before', ended, 'granted again']);
    expect(texts(alsoOnGw2)).toEqual(['before', ended]);
  });
});
