import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupCommitter } from './group-commit.js';

/** A committer whose writes are recorded, batch by batch. */
function committer(options: { maxBatch: number }) {
  const batches: string[][] = [];
  const commit = new GroupCommitter<string, string>(
    async (items) => {
      batches.push(items);
      return items.map((item) => `stored ${item}`);
    },
    { maxPending: 100, ...options },
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
});
