import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/adapters/bus/bus-memory.js';
import type { Store } from '../../src/ports/store.js';
import { SocialGraph } from '../../src/app/social/social-graph.js';
import { CacheSync } from '../../src/app/cluster/cache-sync.js';
import { ConversationAccess } from '../../src/app/messaging/access.js';
import type { PostingState } from '../../src/ports/group-store.js';

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

  it("makes a mute or kick on one node refuse the member's next post on another", async () => {
    const bus = new MemoryBus();
    const members = new Map<string, PostingState>([
      ['bob', { role: 'member', mutedUntil: null, mutedAll: false }],
    ]);
    let reads = 0;
    const store = {
      conversations: { find: async (id: string) => ({ id, type: 'group' }) },
      members: {
        posting: async (_c: string, user: string) => {
          reads++;
          return members.get(user);
        },
      },
    } as unknown as Store;
    const nodeA = new ConversationAccess(store, new CacheSync(bus, 'a'));
    const nodeB = new ConversationAccess(store, new CacheSync(bus, 'b'));
    const post = (node: ConversationAccess) =>
      node.requirePoster('bob', 'g1', 1_000).then(
        () => 'ok',
        (err: { reason?: string }) => err.reason,
      );
    expect(await post(nodeB)).toBe('ok');
    expect(await post(nodeB)).toBe('ok');
    expect(reads).toBe(1); // remembered
    members.set('bob', { role: 'member', mutedUntil: 60_000, mutedAll: false });
    nodeA.membersChanged('g1');
    expect(await post(nodeB)).toBe('MUTED');
    members.delete('bob');
    nodeA.membersChanged('g1');
    expect(await post(nodeB)).toBe('NOT_A_MEMBER');
  });
});
