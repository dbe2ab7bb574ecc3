/**
 * The Presence contract, run against every adapter (presence-memory.test.ts,
 * presence-redis.test.ts). The cluster cases run only for adapters whose subject can put several
 * gateways on one store (`newCluster`); every other case runs for all.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Presence } from '../../src/ports/presence.js';

export interface PresenceCluster {
  /** A gateway on the cluster's store, touched once: live for `ttlMs` unless touched again. */
  gateway(gatewayId: string, ttlMs: number): Promise<Presence>;
}

export interface PresenceSubject {
  /** Gateway `gatewayId` on a fresh, empty store; it stays live for the whole test. */
  newPresence(gatewayId: string): Promise<Presence>;
  /** A fresh store that several gateways share (adapters that span processes). */
  newCluster?(): Promise<PresenceCluster>;
}

/** Long enough to never expire during a test; short enough that dead gateways go quickly. */
const LIVE_MS = 60_000;
const DYING_MS = 300;

export function describePresenceContract(name: string, subject: PresenceSubject) {
  const made: Presence[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((p) => p.close()));
  });
  const makePresence = async (gatewayId = 'g1') => {
    const presence = await subject.newPresence(gatewayId);
    made.push(presence);
    return presence;
  };

  describe(`Presence contract: ${name}`, () => {
    it('reports the first connection and the last disconnection of a user', async () => {
      const presence = await makePresence();
      expect(await presence.connect('u1', 'c1')).toEqual({ first: true });
      expect(await presence.connect('u1', 'c2')).toEqual({ first: false });
      expect((await presence.connections('u1')).sort()).toEqual(['c1', 'c2']);
      expect(await presence.disconnect('u1', 'c1', 1_000)).toEqual({ last: false });
      expect((await presence.status(['u1'])).get('u1')).toEqual({ online: true });
      expect(await presence.disconnect('u1', 'c2', 2_000)).toEqual({ last: true });
      expect((await presence.status(['u1'])).get('u1')).toEqual({ online: false, lastSeen: 2_000 });
      expect(await presence.connections('u1')).toEqual([]);
    });

    it('ignores a disconnect of an unknown connection', async () => {
      const presence = await makePresence();
      await presence.connect('u2', 'c1');
      expect(await presence.disconnect('u2', 'nope', 1)).toEqual({ last: false });
      expect(await presence.disconnect('u3', 'c1', 1)).toEqual({ last: false });
      expect((await presence.status(['u2', 'u3'])).get('u3')).toEqual({ online: false });
    });

    it('reports exactly one first and one last under interleaved calls', async () => {
      const presence = await makePresence();
      const ids = Array.from({ length: 50 }, (_, i) => `c${i}`);
      const connects = await Promise.all(ids.map((id) => presence.connect('u4', id)));
      expect(connects.filter((r) => r.first)).toHaveLength(1);
      const disconnects = await Promise.all(ids.map((id) => presence.disconnect('u4', id, 5)));
      expect(disconnects.filter((r) => r.last)).toHaveLength(1);
      expect((await presence.status(['u4'])).get('u4')?.online).toBe(false);
    });

    it('is online again after coming back', async () => {
      const presence = await makePresence();
      await presence.connect('u5', 'c1');
      await presence.disconnect('u5', 'c1', 10);
      expect(await presence.connect('u5', 'c2')).toEqual({ first: true });
      expect((await presence.status(['u5'])).get('u5')).toEqual({ online: true });
    });

    it('answers status for many users at once, each of them', async () => {
      const presence = await makePresence();
      await presence.connect('a', 'c1');
      await presence.connect('b', 'c2');
      await presence.disconnect('b', 'c2', 7);
      const status = await presence.status(['a', 'b', 'never']);
      expect([...status.entries()]).toEqual([
        ['a', { online: true }],
        ['b', { online: false, lastSeen: 7 }],
        ['never', { online: false }],
      ]);
      expect((await presence.status([])).size).toBe(0);
    });

    it('names the gateway of each online user, and no one else', async () => {
      const presence = await makePresence('gw-a');
      await presence.connect('on', 'c1');
      await presence.connect('on', 'c2');
      await presence.connect('gone', 'c3');
      await presence.disconnect('gone', 'c3', 1);
      const gateways = await presence.gatewaysOf(['on', 'gone', 'never']);
      expect([...gateways.entries()]).toEqual([['on', ['gw-a']]]);
      expect((await presence.gatewaysOf([])).size).toBe(0);
    });

    it('sweeps no one while every gateway lives', async () => {
      const presence = await makePresence();
      await presence.touch();
      await presence.connect('u6', 'c1');
      expect(await presence.touch()).toEqual({ lost: false });
      expect(await presence.sweep(100)).toEqual([]);
      expect((await presence.status(['u6'])).get('u6')).toEqual({ online: true });
    });

    it('answers ping while its store is up', async () => {
      const presence = await makePresence();
      await expect(presence.ping()).resolves.toBeUndefined();
    });
  });

  if (subject.newCluster !== undefined) describeClusterCases(name, subject.newCluster, made);
}

function describeClusterCases(
  name: string,
  newCluster: () => Promise<PresenceCluster>,
  made: Presence[],
) {
  const cluster = async () => {
    const store = await newCluster();
    return async (gatewayId: string, ttlMs = LIVE_MS) => {
      const presence = await store.gateway(gatewayId, ttlMs);
      made.push(presence);
      return presence;
    };
  };
  /** Bounded wait for a gateway's TTL to run out: until every one of `userIds` reads offline. */
  const offline = (presence: Presence, ...userIds: string[]) =>
    vi.waitFor(
      async () => {
        const status = await presence.status(userIds);
        expect(userIds.filter((u) => status.get(u)?.online)).toEqual([]);
      },
      { timeout: 50 * DYING_MS, interval: 20 },
    );

  describe(`Presence contract (cluster): ${name}`, () => {
    it('counts a user across gateways: one first, one last', async () => {
      const gateway = await cluster();
      const [a, b] = await Promise.all([gateway('a'), gateway('b')]);
      const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
      const on = (i: number) => (i % 2 === 0 ? a : b);
      const connects = await Promise.all(ids.map((id, i) => on(i).connect('u', id)));
      expect(connects.filter((r) => r.first)).toHaveLength(1);
      expect((await a.gatewaysOf(['u'])).get('u')?.sort()).toEqual(['a', 'b']);
      expect((await b.connections('u')).sort()).toEqual([...ids].sort());
      const disconnects = await Promise.all(ids.map((id, i) => on(i).disconnect('u', id, 9)));
      expect(disconnects.filter((r) => r.last)).toHaveLength(1);
      expect((await b.status(['u'])).get('u')).toEqual({ online: false, lastSeen: 9 });
    });

    it('takes the users of a gateway that stops touching offline; sweepers report each once', async () => {
      const gateway = await cluster();
      const [dying, b, c] = await Promise.all([
        gateway('dying', DYING_MS),
        gateway('b'),
        gateway('c'),
      ]);
      const users = Array.from({ length: 30 }, (_, i) => `u${i}`);
      await Promise.all(users.map((u) => dying.connect(u, `${u}-c`)));
      await b.connect('elsewhere', 'e1');
      await dying.connect('both', 'x1');
      await b.connect('both', 'x2');
      await offline(b, ...users);

      const status = await c.status(['elsewhere', 'both']);
      expect(status.get('both')?.online).toBe(true);
      expect(status.get('elsewhere')?.online).toBe(true);
      const gateways = await c.gatewaysOf(['u1', 'both', 'elsewhere']);
      expect([...gateways.entries()]).toEqual([
        ['both', ['b']],
        ['elsewhere', ['b']],
      ]);
      expect(await c.connections('both')).toEqual(['x2']);

      const [byB, byC] = await Promise.all([b.sweep(4_000), c.sweep(4_000)]);
      expect([...byB, ...byC].sort()).toEqual([...users].sort());
      expect(await c.sweep(5_000)).toEqual([]);
      expect((await b.status(['u3'])).get('u3')).toEqual({ online: false, lastSeen: 4_000 });
      // The survivor's own last disconnect is still reported, by its gateway.
      expect(await b.disconnect('both', 'x2', 6_000)).toEqual({ last: true });
    });

    it('reports a user on two dead gateways once', async () => {
      const gateway = await cluster();
      const [d1, d2, live] = await Promise.all([
        gateway('d1', DYING_MS),
        gateway('d2', DYING_MS),
        gateway('live'),
      ]);
      await d1.connect('u', 'c1');
      await d2.connect('u', 'c2');
      await offline(live, 'u');
      const sweeps = await Promise.all([live.sweep(50), live.sweep(50), live.sweep(50)]);
      expect(sweeps.flat()).toEqual(['u']);
      expect(await live.connections('u')).toEqual([]);
    });

    it('does not sweep a user who came back on a live gateway first', async () => {
      const gateway = await cluster();
      const [dying, live] = await Promise.all([gateway('dying', DYING_MS), gateway('live')]);
      await dying.connect('u', 'old');
      await offline(live, 'u');
      expect(await live.connect('u', 'new')).toEqual({ first: true });
      expect(await live.sweep(10)).toEqual([]);
      expect((await live.status(['u'])).get('u')).toEqual({ online: true });
      expect(await live.connections('u')).toEqual(['new']);
      expect(await live.disconnect('u', 'new', 20)).toEqual({ last: true });
    });

    it('tells a gateway that touches after its TTL ran out that it was lost', async () => {
      const gateway = await cluster();
      const late = await gateway('late', DYING_MS);
      await late.connect('u-late', 'c1');
      await new Promise((r) => setTimeout(r, DYING_MS * 2));
      expect(await late.touch()).toEqual({ lost: true });
      expect(await late.touch()).toEqual({ lost: false });
      // A connect that finds the gateway dead makes it live again, and the next touch says so.
      await new Promise((r) => setTimeout(r, DYING_MS * 2));
      await late.connect('u-late', 'c2');
      expect(await late.touch()).toEqual({ lost: true });
    });

    it('keeps a gateway live while it touches', async () => {
      const gateway = await cluster();
      const ttlMs = 1_500;
      const [short, other] = await Promise.all([gateway('short', ttlMs), gateway('other')]);
      await short.connect('u', 'c1');
      // Touch well inside the TTL for longer than the TTL: the user stays online throughout.
      for (let i = 0; i < 6; i++) {
        expect(await short.touch()).toEqual({ lost: false });
        expect((await other.status(['u'])).get('u')?.online).toBe(true);
        await new Promise((r) => setTimeout(r, ttlMs / 5));
      }
      expect(await other.sweep(1)).toEqual([]);
    });

    it('answers gatewaysOf for a thousand users across gateways in one call', async () => {
      const gateway = await cluster();
      const nodes = await Promise.all(['n0', 'n1', 'n2'].map((id) => gateway(id)));
      const users = Array.from({ length: 1_000 }, (_, i) => `user-${i}`);
      // user-i is on node i % 3, and every fifth user also on the next node; every seventh is off.
      await Promise.all(
        users.map(async (u, i) => {
          if (i % 7 === 0) return;
          await nodes[i % 3]?.connect(u, `${u}-a`);
          if (i % 5 === 0) await nodes[(i + 1) % 3]?.connect(u, `${u}-b`);
        }),
      );
      const result = await nodes[0]?.gatewaysOf(users);
      users.forEach((u, i) => {
        const expected = i % 7 === 0 ? undefined : [`n${i % 3}`];
        if (expected !== undefined && i % 5 === 0) expected.push(`n${(i + 1) % 3}`);
        expect(result?.get(u)?.sort(), u).toEqual(expected?.sort());
      });
    });
  });
}
