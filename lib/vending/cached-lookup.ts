import type { ProviderKey } from '../credential-providers/store.js';
import type { VendingLookup } from './lookup.js';

type Found = Awaited<ReturnType<VendingLookup['lookup']>>;

/**
 * An optional freshness window over the vend lookup. With a window of 0 (the default) every vend
 * reads the registry, which is what makes a rotation event, a provider update or a workload
 * deletion take effect on the very next vend. A window of W ms lets a warm container vend with no
 * call at all, at the price of that news reaching it up to W ms late.
 */
export class CachedVendingLookup implements VendingLookup {
  private readonly entries = new Map<string, { at: number; found: Found }>();

  constructor(
    private readonly inner: VendingLookup,
    private readonly windowMs: () => number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 1000,
  ) {}

  async lookup(workloadName: string, provider: ProviderKey, bindingId?: string, options?: { consistent?: boolean }): Promise<Found> {
    const window = this.windowMs();
    if (window <= 0 || options?.consistent) return this.inner.lookup(workloadName, provider, bindingId, options);
    const key = JSON.stringify([workloadName, provider.kind, provider.name, bindingId ?? '']);
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < window) return hit.found;
    const found = await this.inner.lookup(workloadName, provider, bindingId);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { at: this.now(), found });
    return found;
  }
}
