/**
 * Values a container reads from elsewhere (IAM policies, discovery documents, the emulator's
 * key owners) and may keep for a while: each key is read once per freshness bound, concurrent
 * readers of one key share one read, a failed read is never kept (the next caller reads again),
 * and the cache holds a bounded number of keys, dropping the oldest first.
 */
export interface PromiseCacheOptions {
  /** How long a value stays fresh, from when it was read. */
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

export class PromiseCache<V> {
  // Insertion order is age order: a Map iterates oldest first.
  private readonly entries = new Map<string, { value: Promise<V>; until: number }>();

  constructor(private readonly options: PromiseCacheOptions) {}

  /**
   * The value under `key` while fresh, else what `load` gives. `readAt`, when given, says when a
   * loaded value was really read (a copy from a shared tier is as old as that tier's read), so
   * its freshness counts from then and the bound holds end to end.
   */
  get(key: string, load: () => Promise<V>, readAt?: (value: V) => number): Promise<V> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    this.entries.delete(key);
    const entry = { value: load(), until: now + this.options.ttlMs };
    this.entries.set(key, entry);
    entry.value.then(
      (value) => {
        if (readAt) entry.until = readAt(value) + this.options.ttlMs;
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry.value;
  }
}

/** A fetch whose answers a PromiseCache keeps, by URL. */
export function cachedDocuments<T>(fetch: (url: string) => Promise<T>, options: PromiseCacheOptions): (url: string) => Promise<T> {
  const cache = new PromiseCache<T>(options);
  return (url) => cache.get(url, () => fetch(url));
}
