/**
 * What ListUserConnections costs, in store calls, as a user's bindings grow: each page reads all
 * of the user's bindings through the byUser index (pages of 250) and each distinct workload and
 * provider record once, so that the list is exactly sorted and filtered to current incarnations.
 * Counted on the in-memory stores (test/fakes), which page as the DynamoDB adapter does.
 */
import type { CredentialProviderRecord } from '../../lib/credential-providers/store.js';
import { providerRef } from '../../lib/oauth2/bindings.js';
import { PageTokens } from '../../lib/pagination.js';
import { EnvelopeCipher } from '../../lib/token-vault/envelope.js';
import { workloadIncarnation } from '../../lib/token-vault/store.js';
import { TokenVault } from '../../lib/token-vault/vault.js';
import { userConnectionOperations } from '../../lib/user-connections/user-connections.js';
import { InMemoryKeyService } from '../fakes/key-service.js';
import { InMemoryServiceKeys } from '../fakes/service-keys.js';
import { InMemoryTokenVaultStore } from '../fakes/token-vault-store.js';
import { InMemoryWorkloadIdentityStore } from '../fakes/workload-identity-store.js';

const caller = { requestId: 'bench', partition: 'aws', region: 'us-east-1', accountId: '123456789012', publicBaseUrl: 'https://x.test' };

async function measure(workloads: number, providers: number) {
  const counts = { index: 0, workloads: 0, providers: 0 };
  const store = new InMemoryTokenVaultStore();
  // Index reads counted where they happen: the store the vault reads through.
  const listByUser = store.listByUser.bind(store);
  store.listByUser = (user, options) => (counts.index++, listByUser(user, options));
  const vault = new TokenVault(store, new EnvelopeCipher(new InMemoryKeyService()), async () => 'vault-key');
  const identities = new InMemoryWorkloadIdentityStore();
  for (let w = 0; w < workloads; w++) await identities.create({ name: `agent-${w}`, allowedResourceOauth2ReturnUrls: [], tags: {}, createdTime: 1, lastUpdatedTime: 1, version: 1 });
  for (let w = 0; w < workloads; w++) {
    for (let p = 0; p < providers; p++) {
      const key = { workload: workloadIncarnation(`agent-${w}`, 1), user: 'id:alice', provider: providerRef(`idp-${p}`, 1) };
      await vault.write(key, { accessToken: 'a', refreshToken: 'r' }, { scopes: ['read'] });
    }
  }
  const record = (name: string) => ({ kind: 'oauth2', name, createdTime: 1, settings: {} }) as unknown as CredentialProviderRecord;
  const operations = userConnectionOperations({
    identities: { get: (name) => (counts.workloads++, identities.get(name)) },
    providers: { get: async ({ name }) => (counts.providers++, record(name)) },
    vault,
    pageTokens: new PageTokens(new InMemoryServiceKeys()),
    fetchJson: async () => ({}),
    secrets: {} as never,
    sign: (async () => '') as never,
  });
  await operations.list({ userId: 'alice', maxResults: 20 }, caller);
  return counts;
}

export async function benchUserConnections(): Promise<string[]> {
  const lines = ['ListUserConnections, one page of 20: store calls by the user’s bindings', 'bindings  index queries  workload reads  provider reads'];
  for (const [workloads, providers] of [[2, 5], [10, 10], [40, 25]] as const) {
    const c = await measure(workloads, providers);
    lines.push(`${String(workloads * providers).padStart(8)}  ${String(c.index).padStart(13)}  ${String(c.workloads).padStart(14)}  ${String(c.providers).padStart(14)}`);
  }
  return lines;
}
