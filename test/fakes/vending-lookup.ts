import type { CredentialProviderRecord, ProviderKey } from '../../lib/credential-providers/store.js';
import type { VendingLookup } from '../../lib/vending/lookup.js';
import type { TokenVaultStore } from '../../lib/token-vault/store.js';
import type { WorkloadIdentityStore } from '../../lib/workload-identities/store.js';

/** The registry read of a vend, over the in-memory stores: what the DynamoDB lookup reads in one round trip. */
export class InMemoryVendingLookup implements VendingLookup {
  readonly providers = new Map<string, CredentialProviderRecord>();

  constructor(
    private readonly identities: WorkloadIdentityStore,
    private readonly vault: TokenVaultStore,
  ) {}

  async lookup(workloadName: string, provider: ProviderKey, bindingId?: string) {
    const [workload, binding] = await Promise.all([this.identities.get(workloadName), bindingId ? this.vault.get(bindingId) : undefined]);
    const record = this.providers.get(`${provider.kind}/${provider.name}`);
    return {
      workloadCreatedTime: workload?.createdTime,
      allowedReturnUrls: workload?.allowedResourceOauth2ReturnUrls,
      provider: record && structuredClone(record),
      binding,
    };
  }
}
