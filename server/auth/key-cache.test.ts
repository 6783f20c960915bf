import { describe, expect, it } from 'vitest';
import { KeyCache, type KeyRecord } from './key-cache.ts';

const record = (userId: string): KeyRecord => ({
  secretHash: new Uint8Array([1, 2, 3]),
  expiresAt: new Date('2030-01-01T00:00:00Z'),
  userId,
  username: userId,
  email: `${userId}@example.com`,
  role: 'member',
});

function cacheAt(ttlMs: number, maxEntries = 10) {
  let now = 0;
  const cache = new KeyCache(ttlMs, maxEntries, () => now);
  return { cache, advance: (ms: number) => (now += ms) };
}

describe('KeyCache', () => {
  it('remembers a key until its time to live has passed', () => {
    const { cache, advance } = cacheAt(5000);
    cache.set('k1', record('u1'), cache.startLookup());
    advance(4999);
    expect(cache.get('k1')?.userId).toBe('u1');
    advance(1);
    expect(cache.get('k1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forgets a deleted key, and everything on clear', () => {
    const { cache } = cacheAt(5000);
    cache.set('k1', record('u1'), cache.startLookup());
    cache.set('k2', record('u2'), cache.startLookup());
    cache.delete('k1');
    expect(cache.get('k1')).toBeUndefined();
    expect(cache.get('k2')?.userId).toBe('u2');
    cache.clear();
    expect(cache.get('k2')).toBeUndefined();
  });

  it('does not remember a lookup that overlapped a revocation', () => {
    const { cache } = cacheAt(5000);
    const lookup = cache.startLookup();
    cache.delete('k1'); // logout committed while the lookup's row was on its way
    cache.set('k1', record('u1'), lookup);
    expect(cache.get('k1')).toBeUndefined();
    cache.set('k1', record('u1'), cache.startLookup());
    expect(cache.get('k1')?.userId).toBe('u1');
  });

  it('stores nothing when its time to live is 0', () => {
    const { cache } = cacheAt(0);
    cache.set('k1', record('u1'), cache.startLookup());
    expect(cache.get('k1')).toBeUndefined();
  });

  it('drops the key loaded longest ago when full', () => {
    const { cache, advance } = cacheAt(60_000, 3);
    for (const id of ['a', 'b', 'c']) {
      cache.set(id, record(id), cache.startLookup());
      advance(1);
    }
    cache.set('d', record('d'), cache.startLookup());
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect(['b', 'c', 'd'].map((id) => cache.get(id)?.userId)).toEqual(['b', 'c', 'd']);
  });
});
