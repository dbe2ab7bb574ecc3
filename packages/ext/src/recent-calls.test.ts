import { describe, expect, it } from 'vitest';
import { RecentCalls } from './recent-calls.js';

describe('RecentCalls', () => {
  it('forgets entries once they are older than the TTL', () => {
    let now = 0;
    const recent = new RecentCalls<string>({ maxEntries: 10, ttlMs: 100 }, () => now);
    recent.set('a', 'A');
    now = 99;
    expect(recent.get('a')).toBe('A');
    now = 100;
    expect(recent.get('a')).toBeUndefined();
  });

  it('drops the least recently used entry beyond maxEntries', () => {
    const recent = new RecentCalls<number>({ maxEntries: 2, ttlMs: 1_000 });
    recent.set('a', 1);
    recent.set('b', 2);
    recent.get('a');
    recent.set('c', 3);
    expect([recent.get('a'), recent.get('b'), recent.get('c')]).toEqual([1, undefined, 3]);
    expect(recent.size).toBe(2);
  });

  it('deletes an entry only if it still holds the given value', () => {
    const recent = new RecentCalls<number>({ maxEntries: 2, ttlMs: 1_000 });
    recent.set('a', 1);
    recent.set('a', 2);
    recent.delete('a', 1);
    expect(recent.get('a')).toBe(2);
    recent.delete('a', 2);
    expect(recent.get('a')).toBeUndefined();
  });
});
