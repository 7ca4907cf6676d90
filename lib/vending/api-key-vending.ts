import type { ProviderSecrets } from '../credential-providers/provider-secrets.js';
import { ResourceNotFoundException } from '../errors.js';
import type { Input } from '../contract/types.js';
import type { CallerContext } from '../http/caller-context.js';
import type { WorkloadAccessTokens } from '../workload-access-tokens/workload-access-token.js';
import type { VendingLookup } from './lookup.js';
import { audited, liveProvider } from './vend.js';

export interface VendingDependencies {
  tokens: WorkloadAccessTokens;
  lookup: VendingLookup;
  secrets: ProviderSecrets;
}

/**
 * GetResourceApiKey: the WAT says which workload asks; the provider's secret answers. Warm, this
 * is one DynamoDB round trip and no Secrets Manager or KMS call.
 */
export function apiKeyVending(deps: VendingDependencies) {
  return (input: Input<'GetResourceApiKey'>, caller: CallerContext) => {
    const provider = input.resourceCredentialProviderName;
    return audited({ operation: 'GetResourceApiKey', provider, caller }, deps.tokens, input.workloadIdentityToken, async (principal) => {
      const { provider: record } = await liveProvider(deps.lookup, principal, { kind: 'apikey', name: provider });
      const credential = await deps.secrets.credential(record);
      if (typeof credential === 'string') return { apiKey: credential };
      const where = record.secretSource === 'EXTERNAL' ? `the secret ${record.secretArn}` : 'its managed secret';
      throw new ResourceNotFoundException(
        credential.problem === 'unavailable'
          ? `The API key of credential provider ${provider} cannot be read from ${where}`
          : `The API key of credential provider ${provider} is missing: ${where} has no text under the key "${record.jsonKey}" (was it rotated without it?)`,
      );
    });
  };
}
