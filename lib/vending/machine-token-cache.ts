import { createHash } from 'node:crypto';
import type { NormalizedToken } from '../oauth2/vendor-types.js';

/**
 * A token is used until shortly before it expires, so a caller never receives one about to lapse:
 * a minute, or a quarter of its lifetime for short-lived tokens.
 */
const EXPIRY_MARGIN_MS = 60_000;
export function expiryMargin(expiresAt: number, issuedAt: number): number {
  return Math.min(EXPIRY_MARGIN_MS, Math.max(0, expiresAt - issuedAt) / 4);
}

export interface MachineTokenCacheLimits {
  /** Most tokens held at once. */
  maxEntries: number;
  /** Most bytes of tokens held at once (access tokens and extras, counted as UTF-16). */
  maxBytes: number;
}

/** 1,000 tokens and 8 MiB per container: a warm workload's working set, not a caller's whim. */
export const DEFAULT_MACHINE_TOKEN_CACHE_LIMITS: MachineTokenCacheLimits = { maxEntries: 1000, maxBytes: 8 * 1024 * 1024 };

interface Entry {
  accessToken: string;
  generation: number;
  usableUntil: number;
  bytes: number;
}

/**
 * Machine tokens (M2M, token exchange) by workload, provider, scopes and targets. Callers choose
 * the scopes, audiences and resources, so the key space is theirs: the cache holds keys as
 * digests, evicts what has expired, and stays within a count and a byte bound, least recently
 * used first. A token larger than an eighth of the byte bound is never cached.
 */
export class MachineTokenCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private nextSweep = 0;

  constructor(
    private readonly limits: MachineTokenCacheLimits = DEFAULT_MACHINE_TOKEN_CACHE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The digest a key is held under: whatever the caller sent, 43 characters. */
  static keyOf(parts: unknown[]): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
  }

  get(key: string, generation: number): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.generation !== generation || entry.usableUntil <= this.now()) {
      this.remove(key, entry);
      return undefined;
    }
    // Most recently used last: eviction takes from the front.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.accessToken;
  }

  /** Caches a token that says when it expires; one without a lifetime cannot be known to be still valid. */
  set(key: string, token: NormalizedToken, generation: number, issuedAt: number): void {
    if (token.expiresAt === undefined) return;
    const usableUntil = token.expiresAt - expiryMargin(token.expiresAt, issuedAt);
    const bytes = 2 * (key.length + token.accessToken.length + JSON.stringify(token.extras ?? {}).length) + 64;
    if (usableUntil <= this.now() || bytes > this.limits.maxBytes / 8) return;
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    this.sweepExpired();
    while (this.entries.size > 0 && (this.entries.size + 1 > this.limits.maxEntries || this.bytes + bytes > this.limits.maxBytes)) {
      const [oldestKey, oldest] = this.entries.entries().next().value!;
      this.remove(oldestKey, oldest);
    }
    this.entries.set(key, { accessToken: token.accessToken, generation, usableUntil, bytes });
    this.bytes += bytes;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** Expired tokens leave at least once a minute, whether or not anyone asks for them again. */
  private sweepExpired(): void {
    const now = this.now();
    if (now < this.nextSweep) return;
    this.nextSweep = now + 60_000;
    for (const [key, entry] of this.entries) if (entry.usableUntil <= now) this.remove(key, entry);
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
