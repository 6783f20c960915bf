// The bounded cache of recently appended steps' requests (server/debug/recent-requests.ts).
import { describe, expect, it } from 'vitest';
import { RecentRequests } from '../../server/debug/recent-requests.ts';

describe('RecentRequests', () => {
  it('returns what was remembered and forgets on request', () => {
    const cache = new RecentRequests<{ n: number }>();
    cache.remember('a', { n: 1 }, 10);
    expect(cache.get('a')).toEqual({ n: 1 });
    expect(cache.get('b')).toBeUndefined();
    cache.forget('a');
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts the oldest entries beyond its byte budget', () => {
    const cache = new RecentRequests<string>(100, 1000);
    for (const id of ['a', 'b', 'c', 'd', 'e']) cache.remember(id, id, 25);
    expect(cache.size).toBe(4);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('e')).toBe('e');
  });

  it('evicts the oldest entries beyond its entry limit and skips entries too large to keep', () => {
    const cache = new RecentRequests<string>(1_000_000, 3);
    for (const id of ['a', 'b', 'c', 'd']) cache.remember(id, id, 1);
    expect([...'abcd'].map((id) => cache.get(id))).toEqual([undefined, 'b', 'c', 'd']);
    cache.remember('huge', 'huge', 300_000);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(3);
  });

  it('counts a re-remembered entry once', () => {
    const cache = new RecentRequests<string>(1000, 10);
    cache.remember('a', 'a1', 240);
    cache.remember('a', 'a2', 240);
    expect(cache.get('a')).toBe('a2');
    for (const id of ['b', 'c', 'd']) cache.remember(id, id, 240);
    expect(cache.get('a')).toBe('a2');
  });
});
