import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from './verified-token-cache.js';

const claims = (expiresAt: number) => ({
  userId: 'u1',
  sessionId: 's1',
  isGuest: false,
  expiresAt,
});

describe('VerifiedTokenCache', () => {
  it('answers only the same token text, and only before it expires', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('a.b.c', claims(2_000));
    expect(cache.get('a.b.c', 1_999)).toEqual(claims(2_000));
    expect(cache.get('a.b.d', 1_000)).toBeUndefined();
    expect(cache.get('a.b.c', 2_000)).toBeUndefined();
    // An expired entry is dropped, not kept.
    expect(cache.size).toBe(0);
  });

  it('keeps at most max entries, dropping the least recently used', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('t1', claims(10_000));
    cache.set('t2', claims(10_000));
    expect(cache.get('t1', 0)).toBeDefined(); // t1 is now the most recently used
    cache.set('t3', claims(10_000));
    expect(cache.size).toBe(2);
    expect(cache.get('t2', 0)).toBeUndefined();
    expect(cache.get('t1', 0)).toBeDefined();
    expect(cache.get('t3', 0)).toBeDefined();
  });
});
