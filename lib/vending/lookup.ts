import type { CredentialProviderRecord, ProviderKey } from '../credential-providers/store.js';
import type { VaultBinding } from '../token-vault/store.js';

/**
 * What a vend needs to know from the registry, fetched in one round trip: that the token's
 * workload still exists (as the same incarnation), and the provider's record.
 */
export interface VendingLookup {
  /** `consistent`: read the registry as it is now, past any freshness window or eventually consistent read. */
  lookup(workloadName: string, provider: ProviderKey, bindingId?: string, options?: { consistent?: boolean }): Promise<VendingLookupResult>;
}

export interface VendingLookupResult {
  workloadCreatedTime?: number;
  allowedReturnUrls?: string[];
  provider?: CredentialProviderRecord;
  binding?: VaultBinding;
}
