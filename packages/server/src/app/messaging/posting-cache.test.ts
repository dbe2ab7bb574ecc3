import { describe, expect, it } from 'vitest';
import type { PostingState } from '../../ports/group-store.js';
import { PostingCache } from './posting-cache.js';

const member: PostingState = { role: 'member', mutedUntil: null, mutedAll: false };
const muted: PostingState = { role: 'member', mutedUntil: 9e15, mutedAll: false };

/** A store read that counts its calls and answers what `state` holds at the time. */
function reader(initial: PostingState | undefined) {
  const r = {
    state: initial,
    reads: 0,
    read: async () => {
      r.reads++;
      return r.state;
    },
  };
  return r;
}

describe('PostingCache', () => {
  it('reads a member once, and again after the conversation is dropped', async () => {
    const cache = new PostingCache();
    const store = reader(member);
    expect(await cache.get('c1', 'u1', store.read)).toEqual(member);
    expect(await cache.get('c1', 'u1', store.read)).toEqual(member);
    expect(store.reads).toBe(1);
    store.state = muted;
    cache.drop('c1');
    expect(await cache.get('c1', 'u1', store.read)).toEqual(muted);
    expect(store.reads).toBe(2);
  });

  it('never remembers a refusal', async () => {
    const cache = new PostingCache();
    const store = reader(undefined);
    expect(await cache.get('c1', 'u1', store.read)).toBeUndefined();
    store.state = member;
    expect(await cache.get('c1', 'u1', store.read)).toEqual(member);
    expect(store.reads).toBe(2);
  });

  it('does not keep a read that was under way when the conversation was dropped', async () => {
    const cache = new PostingCache();
    let answer: (s: PostingState) => void = () => {};
    const slow = () => new Promise<PostingState>((resolve) => (answer = resolve));
    const pending = cache.get('c1', 'u1', slow);
    // The mute is stored and announced while the read (which saw the old state) is in flight.
    cache.drop('c1');
    answer(member);
    expect(await pending).toEqual(member);
    const store = reader(muted);
    expect(await cache.get('c1', 'u1', store.read)).toEqual(muted);
    expect(store.reads).toBe(1);
  });

  it('drops only the conversation that changed', async () => {
    const cache = new PostingCache();
    const store = reader(member);
    await cache.get('c1', 'u1', store.read);
    await cache.get('c2', 'u1', store.read);
    cache.drop('c1');
    expect(cache.size).toBe(1);
    await cache.get('c2', 'u1', store.read);
    expect(store.reads).toBe(2);
  });

  it('stays within its bounds: conversations filled longest ago go first, then everything', async () => {
    const cache = new PostingCache({ maxConversations: 2, maxEntries: 5 });
    const store = reader(member);
    await cache.get('c1', 'u1', store.read);
    await cache.get('c2', 'u1', store.read);
    await cache.get('c3', 'u1', store.read);
    expect(cache.size).toBe(2);
    await cache.get('c1', 'u1', store.read);
    expect(store.reads).toBe(4); // c1 was pushed out by c3
    for (const user of ['u2', 'u3', 'u4']) await cache.get('c1', user, store.read);
    expect(cache.size).toBe(5);
    await cache.get('c1', 'u5', store.read);
    expect(cache.size).toBe(0);
  });
});
