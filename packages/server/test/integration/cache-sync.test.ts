import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/adapters/bus/bus-memory.js';
import type { Store } from '../../src/ports/store.js';
import { SocialGraph } from '../../src/app/social/social-graph.js';
import { CacheSync } from '../../src/app/cluster/cache-sync.js';

/** The block table two nodes share (the database), as the graph reads it. */
function sharedBlocks() {
  const blocks = new Set<string>();
  const store = {
    friends: { friendIds: async () => [], areFriends: async () => false },
    blocks: {
      blockerIds: async (blocked: string) =>
        [...blocks].filter((b) => b.endsWith(`>${blocked}`)).map((b) => b.split('>')[0]),
      isBlocked: async (blocker: string, blocked: string) => blocks.has(`${blocker}>${blocked}`),
    },
  } as unknown as Store;
  return { blocks, store };
}

describe('CacheSync', () => {
  it('hands invalidations to the other nodes only, per cache', () => {
    const bus = new MemoryBus();
    const a = new CacheSync(bus, 'a');
    const b = new CacheSync(bus, 'b');
    const seenByA: string[] = [];
    const seenByB: string[] = [];
    a.subscribe('social', (keys) => seenByA.push(...keys));
    b.subscribe('social', (keys) => seenByB.push(...keys));
    b.subscribe('conversation', (keys) => seenByB.push(...keys.map((k) => `conv ${k}`)));
    a.publish('social', ['f:u1', 'f:u2']);
    a.publish('conversation', ['c1']);
    expect(seenByA).toEqual([]);
    expect(seenByB).toEqual(['f:u1', 'f:u2', 'conv c1']);
  });

  it("makes a block made on one node visible to another node's cached graph", async () => {
    const bus = new MemoryBus();
    const { blocks, store } = sharedBlocks();
    const nodeA = new SocialGraph(store, undefined, new CacheSync(bus, 'a'));
    const nodeB = new SocialGraph(store, undefined, new CacheSync(bus, 'b'));
    // Node B loads and caches "nobody blocked bob".
    expect(await nodeB.isBlockedBy('bob', 'alice')).toBe(false);
    blocks.add('alice>bob');
    nodeA.blockAdded('alice', 'bob');
    expect(await nodeA.isBlockedBy('bob', 'alice')).toBe(true);
    expect(await nodeB.isBlockedBy('bob', 'alice')).toBe(true);
    blocks.delete('alice>bob');
    nodeA.blockRemoved('alice', 'bob');
    expect(await nodeB.isBlockedBy('bob', 'alice')).toBe(false);
  });
});
