import { describe, expect, it } from 'vitest';
import { cachedDocuments, PromiseCache } from '../../lib/cache/promise-cache.js';

function counter(fail: Set<string> = new Set()) {
  const calls: string[] = [];
  const fetch = async (url: string) => {
    calls.push(url);
    if (fail.has(url)) throw new Error('unreachable');
    return { url, n: calls.length };
  };
  return { calls, fetch };
}

describe('cached metadata documents', () => {
  it('read a URL once within the freshness bound and again after it', async () => {
    let time = 0;
    const { calls, fetch } = counter();
    const read = cachedDocuments(fetch, { ttlMs: 1000, maxEntries: 10, now: () => time });
    await read('a');
    time = 999;
    await read('a');
    expect(calls).toEqual(['a']);
    time = 1000;
    await read('a');
    expect(calls).toEqual(['a', 'a']);
  });

  it('share one request between concurrent readers and keep no failure', async () => {
    const failing = new Set(['down']);
    const { calls, fetch } = counter(failing);
    const read = cachedDocuments(fetch, { ttlMs: 1000, maxEntries: 10, now: () => 0 });
    const [x, y] = await Promise.all([read('a'), read('a')]);
    expect(x).toBe(y);
    await expect(read('down')).rejects.toThrow('unreachable');
    failing.clear();
    await expect(read('down')).resolves.toMatchObject({ url: 'down' });
    expect(calls).toEqual(['a', 'down', 'down']);
  });

  it('hold at most maxEntries documents, dropping the oldest', async () => {
    const { calls, fetch } = counter();
    const read = cachedDocuments(fetch, { ttlMs: 1000, maxEntries: 2, now: () => 0 });
    for (const url of ['a', 'b', 'c', 'b', 'a']) await read(url);
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });

  it('count freshness from when a value was really read, when the loader says', async () => {
    let time = 10_000;
    const cache = new PromiseCache<{ readAt: number }>({ ttlMs: 1000, maxEntries: 10, now: () => time });
    let loads = 0;
    const load = async () => {
      loads++;
      return { readAt: 9_500 };
    };
    await cache.get('k', load, (v) => v.readAt);
    time = 10_499;
    await cache.get('k', load, (v) => v.readAt);
    expect(loads).toBe(1);
    time = 10_500;
    await cache.get('k', load, (v) => v.readAt);
    expect(loads).toBe(2);
  });
});
