import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupCommitter, LINGER_FILL } from './group-commit.js';

/** A committer whose writes are recorded, batch by batch. */
function committer(options: { maxBatch: number; lingerMs?: number }) {
  const batches: string[][] = [];
  const commit = new GroupCommitter<string, string>(
    async (items) => {
      batches.push(items);
      return items.map((item) => `stored ${item}`);
    },
    { maxPending: 1_000, now: () => Date.now(), ...options },
  );
  return { commit, batches };
}

describe('GroupCommitter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a lone item on the next turn', async () => {
    const { commit, batches } = committer({ maxBatch: 10 });
    const first = commit.submit('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([['a']]);
    await expect(first).resolves.toBe('stored a');
  });

  it('sends what waits behind a batch in flight together, up to maxBatch a batch', async () => {
    const { commit, batches } = committer({ maxBatch: 2 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((item) => commit.submit(item));
    await vi.advanceTimersByTimeAsync(0);
    await expect(Promise.all(all)).resolves.toHaveLength(5);
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('writes at once, lingering or not, while items come in slower than one per lingerMs', async () => {
    const { commit, batches } = committer({ maxBatch: 10, lingerMs: 20 });
    for (const item of ['a', 'b', 'c']) {
      void commit.submit(item);
      await vi.advanceTimersByTimeAsync(0);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(batches).toEqual([['a'], ['b'], ['c']]);
  });

  it(`does not linger for fewer than ${LINGER_FILL} items a linger`, async () => {
    // One item every 8 ms against a 20 ms linger: two or three would share a batch, each
    // waiting up to 20 ms for it. Each is written at once instead.
    const { commit, batches } = committer({ maxBatch: 10, lingerMs: 20 });
    for (let i = 0; i < 100; i++) {
      void commit.submit(String(i));
      await vi.advanceTimersByTimeAsync(8);
    }
    expect(batches.slice(-10).every((b) => b.length === 1)).toBe(true);
    // One every 6 ms (more than three a linger): the batches fill.
    const fast = committer({ maxBatch: 10, lingerMs: 20 });
    for (let i = 0; i < 100; i++) {
      void fast.commit.submit(String(i));
      await vi.advanceTimersByTimeAsync(6);
    }
    expect(fast.batches.slice(-4, -1).every((b) => b.length >= 3)).toBe(true);
  });

  it('lets a batch wait up to lingerMs from its first item while items come in fast', async () => {
    const { commit, batches } = committer({ maxBatch: 1_000, lingerMs: 20 });
    // A steady stream, one item a millisecond: the batches fill for 20 ms before they go.
    const all: Promise<string>[] = [];
    for (let i = 0; i < 200; i++) {
      all.push(commit.submit(String(i)));
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(50);
    await expect(Promise.all(all)).resolves.toHaveLength(200);
    // Once the average gap is known (a few dozen items), every batch but the stream's tail
    // holds the 20 ms' worth.
    const sizes = batches.map((b) => b.length);
    expect(sizes.slice(-5, -1)).toEqual([20, 20, 20, 20]);
    expect(batches.flat()).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    // A full batch does not wait.
    const full = committer({ maxBatch: 2, lingerMs: 1_000 });
    for (let i = 0; i < 30; i++) {
      void full.commit.submit(String(i));
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    expect(full.batches.every((b) => b.length <= 2)).toBe(true);
    expect(full.batches.flat()).toHaveLength(30);
  });
});
