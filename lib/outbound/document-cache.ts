/**
 * Metadata documents (OpenID discovery, RFC 8414) as a container's pages read them: an issuer's
 * endpoints change rarely, and one sign-in reads the same document at the start and again at the
 * callback, so each is kept for a short while. Only successful reads are kept (a server that
 * failed is asked again next time), concurrent reads of one URL share one request, and the cache
 * holds a bounded number of documents, dropping the oldest first.
 */
export interface DocumentCacheOptions {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

export function cachedDocuments<T>(fetch: (url: string) => Promise<T>, options: DocumentCacheOptions): (url: string) => Promise<T> {
  const now = options.now ?? Date.now;
  // Insertion order is age order: Map iterates oldest first.
  const entries = new Map<string, { value: Promise<T>; until: number }>();
  return (url) => {
    const time = now();
    const entry = entries.get(url);
    if (entry && entry.until > time) return entry.value;
    entries.delete(url);
    const value = fetch(url);
    entries.set(url, { value, until: time + options.ttlMs });
    value.catch(() => {
      if (entries.get(url)?.value === value) entries.delete(url);
    });
    while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value!);
    return value;
  };
}
