import { describe, expect, it } from 'vitest';
import { MachineTokenCache } from '../../lib/vending/machine-token-cache.js';

/** The M2M token cache on its own: a clock the test moves, tokens the test makes. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}
const token = (accessToken: string, expiresAt: number) => ({ accessToken, expiresAt });

describe('the machine token cache', () => {
  it('serves a token until shortly before it expires, and not for another secret generation', () => {
    const c = clock();
    const cache = new MachineTokenCache({ maxEntries: 10, maxBytes: 1 << 20 }, c.now);
    cache.set('k', token('t1', c.now() + 400_000), 1, c.now());
    expect(cache.get('k', 1)).toBe('t1');
    expect(cache.get('k', 2)).toBeUndefined();
    cache.set('k', token('t1', c.now() + 400_000), 1, c.now());
    c.advance(400_000 - 60_000);
    expect(cache.get('k', 1)).toBeUndefined();
    expect(cache.size.entries).toBe(0);
  });

  it('never holds a token without a lifetime, one already lapsing, or one larger than an eighth of the byte bound', () => {
    const c = clock();
    const cache = new MachineTokenCache({ maxEntries: 10, maxBytes: 8_000 }, c.now);
    cache.set('none', { accessToken: 'x' }, 1, c.now());
    cache.set('lapsing', token('y', c.now() + 10), 1, c.now() - 1000);
    cache.set('large', token('z'.repeat(1_000), c.now() + 600_000), 1, c.now());
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('stays within its entry bound, evicting the least recently used', () => {
    const c = clock();
    const cache = new MachineTokenCache({ maxEntries: 3, maxBytes: 1 << 20 }, c.now);
    for (const k of ['a', 'b', 'c']) cache.set(k, token(k, c.now() + 600_000), 1, c.now());
    expect(cache.get('a', 1)).toBe('a'); // a is now the most recent
    cache.set('d', token('d', c.now() + 600_000), 1, c.now());
    expect(cache.get('b', 1)).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => cache.get(k, 1))).toEqual(['a', 'c', 'd']);
    expect(cache.size.entries).toBe(3);
  });

  it('stays within its byte bound', () => {
    const c = clock();
    const cache = new MachineTokenCache({ maxEntries: 1_000, maxBytes: 20_000 }, c.now);
    for (let i = 0; i < 200; i++) cache.set(MachineTokenCache.keyOf([i]), token('t'.repeat(1_000), c.now() + 600_000), 1, c.now());
    expect(cache.size.bytes).toBeLessThanOrEqual(20_000);
    expect(cache.size.entries).toBeGreaterThan(0);
  });

  it('drops expired tokens on its own, even ones never asked for again', () => {
    const c = clock();
    const cache = new MachineTokenCache({ maxEntries: 1_000, maxBytes: 1 << 20 }, c.now);
    for (let i = 0; i < 100; i++) cache.set(`short-${i}`, token('s', c.now() + 8_000), 1, c.now());
    c.advance(61_000);
    cache.set('long', token('l', c.now() + 600_000), 1, c.now());
    expect(cache.size.entries).toBe(1);
  });

  it('holds keys as fixed-size digests, whatever the caller sent', () => {
    expect(MachineTokenCache.keyOf(['w', 'x'.repeat(100_000)])).toHaveLength(43);
  });
});
