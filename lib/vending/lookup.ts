import type { CredentialProviderRecord, ProviderKey } from '../credential-providers/store.js';

/**
 * What a vend needs to know from the registry, fetched in one round trip: that the token's
 * workload still exists (as the same incarnation), and the provider's record.
 */
export interface VendingLookup {
  lookup(workloadName: string, provider: ProviderKey): Promise<{ workloadCreatedTime?: number; provider?: CredentialProviderRecord }>;
}
