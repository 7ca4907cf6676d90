import { describe, expect, it } from 'vitest';
import type { CredentialProviderRecord, ProviderKey } from '../../lib/credential-providers/store.js';
import { ResourceNotFoundException, UnauthorizedException } from '../../lib/errors.js';
import { CachedVendingLookup } from '../../lib/vending/cached-lookup.js';
import type { VendingLookup, VendingLookupResult } from '../../lib/vending/lookup.js';
import { liveProvider } from '../../lib/vending/vend.js';
import { ManualClock } from '../fakes/clock.js';

/**
 * Vends read the registry eventually consistent (or through a freshness window); a refusal is
 * confirmed by a consistent read, so a workload or provider created a moment ago is never refused
 * for a replica that has not seen it yet.
 */
const record: CredentialProviderRecord = { kind: 'apikey', name: 'weather', secretSource: 'EXTERNAL', secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:w', jsonKey: 'key', tags: {}, createdTime: 1, lastUpdatedTime: 1, version: 1, secretGeneration: 0 };
const principal = { workloadName: 'agent', workloadCreatedTime: 7 };
const key: ProviderKey = { kind: 'apikey', name: 'weather' };

/** A registry whose eventually consistent reads lag: they show `stale` until read consistently. */
class LaggingRegistry implements VendingLookup {
  readonly reads: boolean[] = [];
  constructor(
    private readonly stale: VendingLookupResult,
    private readonly current: VendingLookupResult,
  ) {}
  async lookup(_w: string, _p: ProviderKey, _b?: string, options?: { consistent?: boolean }) {
    this.reads.push(!!options?.consistent);
    return options?.consistent ? this.current : this.stale;
  }
}

describe('the vend lookup', () => {
  it('reads once, eventually consistent, when the workload and provider are there', async () => {
    const registry = new LaggingRegistry({ workloadCreatedTime: 7, provider: record }, {});
    expect((await liveProvider(registry, principal, key)).provider).toBe(record);
    expect(registry.reads).toEqual([false]);
  });

  it('confirms a missing workload or provider with a consistent read before refusing', async () => {
    const justCreated = new LaggingRegistry({}, { workloadCreatedTime: 7, provider: record });
    expect((await liveProvider(justCreated, principal, key)).provider).toBe(record);
    expect(justCreated.reads).toEqual([false, true]);

    const deleted = new LaggingRegistry({}, { provider: record });
    await expect(liveProvider(deleted, principal, key)).rejects.toBeInstanceOf(UnauthorizedException);
    const noProvider = new LaggingRegistry({ workloadCreatedTime: 7 }, { workloadCreatedTime: 7 });
    await expect(liveProvider(noProvider, principal, key)).rejects.toBeInstanceOf(ResourceNotFoundException);
    // A workload re-created a moment ago: the replica still shows the old incarnation.
    const recreated = new LaggingRegistry({ workloadCreatedTime: 3, provider: record }, { workloadCreatedTime: 7, provider: record });
    expect((await liveProvider(recreated, principal, key)).provider).toBe(record);
  });

  it('goes past the freshness window for the confirming read', async () => {
    const clock = new ManualClock();
    const registry = new LaggingRegistry({}, { workloadCreatedTime: 7, provider: record });
    const cached = new CachedVendingLookup(registry, () => 60_000, clock.now);
    expect((await liveProvider(cached, principal, key)).provider).toBe(record);
    expect(registry.reads).toEqual([false, true]);
  });
});
