import { audit } from '../audit.js';
import { AgentCoreError, ResourceNotFoundException, UnauthorizedException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import type { ProviderSecrets } from '../credential-providers/provider-secrets.js';
import { watIssuer, type WorkloadAccessTokens, type WorkloadPrincipal } from '../workload-access-tokens/workload-access-token.js';
import type { VendingLookup } from './lookup.js';

export interface VendingDependencies {
  tokens: WorkloadAccessTokens;
  lookup: VendingLookup;
  secrets: ProviderSecrets;
}

/** Verifies a WAT and checks that its workload still exists as the incarnation it was minted for. */
export async function principalFor(deps: Pick<VendingDependencies, 'tokens'>, token: string, caller: CallerContext): Promise<WorkloadPrincipal> {
  return deps.tokens.verify(watIssuer(caller), token);
}

export function checkWorkloadAlive(principal: WorkloadPrincipal, workloadCreatedTime: number | undefined): void {
  if (workloadCreatedTime !== principal.workloadCreatedTime) {
    throw new UnauthorizedException(`The workload access token is for workload ${principal.workloadName}, which no longer exists`);
  }
}

/**
 * GetResourceApiKey: the WAT says which workload asks; the provider's secret answers. Warm, this
 * is one DynamoDB round trip and no Secrets Manager or KMS call.
 */
export function apiKeyVending(deps: VendingDependencies) {
  return async (input: { workloadIdentityToken: string; resourceCredentialProviderName: string }, caller: CallerContext) => {
    const provider = input.resourceCredentialProviderName;
    let principal: WorkloadPrincipal | undefined;
    try {
      principal = await principalFor(deps, input.workloadIdentityToken, caller);
      const found = await deps.lookup.lookup(principal.workloadName, { kind: 'apikey', name: provider });
      checkWorkloadAlive(principal, found.workloadCreatedTime);
      if (!found.provider) throw new ResourceNotFoundException(`API key credential provider ${provider} does not exist`);
      const credential = await deps.secrets.credential(found.provider);
      if (typeof credential !== 'string') {
        const where = found.provider.secretSource === 'EXTERNAL' ? `the secret ${found.provider.secretArn}` : 'its managed secret';
        throw new ResourceNotFoundException(
          credential.problem === 'unavailable'
            ? `The API key of credential provider ${provider} cannot be read from ${where}`
            : `The API key of credential provider ${provider} is missing: ${where} has no text under the key "${found.provider.jsonKey}" (was it rotated without it?)`,
        );
      }
      audit({ operation: 'GetResourceApiKey', requestId: caller.requestId, workload: principal.workloadName, user: principal.user, provider, outcome: 'success' });
      return { apiKey: credential };
    } catch (error) {
      const known = error instanceof AgentCoreError;
      audit({
        operation: 'GetResourceApiKey',
        requestId: caller.requestId,
        workload: principal?.workloadName,
        user: principal?.user,
        provider,
        outcome: known ? 'refused' : 'error',
        errorType: known ? error.errorType : 'InternalServerException',
      });
      throw error;
    }
  };
}
