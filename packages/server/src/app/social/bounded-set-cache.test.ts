import { describe, expect, it } from 'vitest';
import { BoundedSetCache } from './bounded-set-cache.js';

/** A set store the cache loads from, with loads that finish when the test says so. */
class Source {
  readonly sets = new Map<string, Set<string>>();
  loads = 0;
  lookups = 0;
  #held: (() => void)[] = [];
  hold = false;

  load = async (key: string, limit: number): Promise<string[]> => {
    this.loads++;
    const snapshot = [...(this.sets.get(key) ?? [])].slice(0, limit);
    if (this.hold) await new Promise<void>((resolve) => this.#held.push(resolve));
    return snapshot;
  };

  lookup = async (key: string, member: string): Promise<boolean> => {
    this.lookups++;
    return this.sets.get(key)?.has(member) ?? false;
  };

  release(): void {
    for (const resolve of this.#held.splice(0)) resolve();
  }

  put(key: string, ...members: string[]): void {
    this.sets.set(key, new Set([...(this.sets.get(key) ?? []), ...members]));
  }
}

const cacheOf = (source: Source, maxKeys = 10, maxSetSize = 10) =>
  new BoundedSetCache(source.load, source.lookup, { maxKeys, maxSetSize });

describe('BoundedSetCache', () => {
  it('loads a set once, on first use, and answers from memory after', async () => {
    const source = new Source();
    source.put('u1', 'a', 'b');
    const cache = cacheOf(source);
    const answers = await Promise.all([cache.has('u1', 'a'), cache.has('u1', 'z')]);
    expect(answers).toEqual([true, false]);
    expect(await cache.has('u1', 'b')).toBe(true);
    expect(source.loads).toBe(1);
  });

  it('keeps a loaded set exact through add and remove', async () => {
    const source = new Source();
    source.put('u1', 'a');
    const cache = cacheOf(source);
    await cache.has('u1', 'a');
    cache.add('u1', 'b');
    cache.remove('u1', 'a');
    expect(await cache.has('u1', 'b')).toBe(true);
    expect(await cache.has('u1', 'a')).toBe(false);
    // Changes to a set not in memory are picked up by its first load.
    cache.add('u2', 'x');
    source.put('u2', 'x');
    expect(await cache.has('u2', 'x')).toBe(true);
    expect(source.loads).toBe(2);
  });

  it('does not keep a load that was in flight while the set changed', async () => {
    const source = new Source();
    source.put('u1', 'a');
    const cache = cacheOf(source);
    source.hold = true;
    const early = cache.has('u1', 'b');
    // The writer commits 'b' and records it while the load (which read before) is in flight.
    source.put('u1', 'b');
    cache.add('u1', 'b');
    source.release();
    expect(await early).toBe(false); // its own caller saw the old state: a concurrent read
    source.hold = false;
    expect(await cache.has('u1', 'b')).toBe(true); // but the stale set was not kept
    expect(source.loads).toBe(2);
  });

  it('forgets the least recently used set beyond maxKeys', async () => {
    const source = new Source();
    const cache = cacheOf(source, 2);
    await cache.has('u1', 'x');
    await cache.has('u2', 'x');
    await cache.has('u1', 'x'); // u1 is now the most recently used
    await cache.has('u3', 'x'); // evicts u2
    expect(cache.size).toBe(2);
    expect(source.loads).toBe(3);
    await cache.has('u1', 'x');
    expect(source.loads).toBe(3);
    await cache.has('u2', 'x');
    expect(source.loads).toBe(4);
  });

  it('asks the source for sets too large to keep', async () => {
    const source = new Source();
    source.put('big', 'a', 'b', 'c');
    source.put('small', 'a');
    const cache = cacheOf(source, 10, 2);
    expect(await cache.has('big', 'c')).toBe(true);
    expect(await cache.has('big', 'z')).toBe(false);
    expect(source.loads).toBe(1);
    expect(source.lookups).toBe(2);
    // A kept set that grows past the bound is given up too.
    await cache.has('small', 'a');
    cache.add('small', 'b');
    cache.add('small', 'c');
    source.put('small', 'b', 'c');
    expect(await cache.has('small', 'c')).toBe(true);
    expect(source.lookups).toBe(3);
  });

  it('lets a failed load fail its callers and tries again next time', async () => {
    let fail = true;
    const cache = new BoundedSetCache(
      async () => {
        if (fail) throw new Error('store down');
        return ['a'];
      },
      async () => false,
      { maxKeys: 10, maxSetSize: 10 },
    );
    await expect(cache.has('u1', 'a')).rejects.toThrow('store down');
    fail = false;
    expect(await cache.has('u1', 'a')).toBe(true);
  });
});
