/** The Presence contract, run against every adapter (presence-memory.test.ts; Redis will join). */
import { describe, expect, it } from 'vitest';
import type { Presence } from '../../src/ports/presence.js';

export function describePresenceContract(name: string, makePresence: () => Promise<Presence>) {
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
  });
}
