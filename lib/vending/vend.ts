import { audit } from '../audit.js';
import type { CredentialProviderRecord, ProviderKey } from '../credential-providers/store.js';
import { AgentCoreError, ResourceNotFoundException, UnauthorizedException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import { watIssuer, type WorkloadAccessTokens, type WorkloadPrincipal } from '../workload-access-tokens/workload-access-token.js';
import type { VendingLookup, VendingLookupResult } from './lookup.js';

/**
 * The steps every vend shares: the WAT verified into a principal, the provider looked up with the
 * workload's liveness in the same round trip, and one audit record whatever the outcome.
 */
export interface Vend<T> {
  operation: string;
  provider: string;
  caller: CallerContext;
  /** What to record for a result that is not a credential (a consent in progress). */
  refusalOf?: (result: T) => string | undefined;
}

export async function audited<T>(vend: Vend<T>, tokens: WorkloadAccessTokens, token: string, work: (principal: WorkloadPrincipal) => Promise<T>): Promise<T> {
  const { operation, provider, caller } = vend;
  let principal: WorkloadPrincipal | undefined;
  try {
    principal = await tokens.verify(watIssuer(caller), token);
    const result = await work(principal);
    const refused = vend.refusalOf?.(result);
    audit({ operation, requestId: caller.requestId, workload: principal.workloadName, user: principal.user, provider, outcome: refused ? 'refused' : 'success', ...(refused ? { errorType: refused } : {}) });
    return result;
  } catch (error) {
    const known = error instanceof AgentCoreError;
    audit({ operation, requestId: caller.requestId, workload: principal?.workloadName, user: principal?.user, provider, outcome: known ? 'refused' : 'error', errorType: known ? error.errorType : 'InternalServerException' });
    throw error;
  }
}

/**
 * The provider a vend names, read with its workload; a WAT for a deleted (or re-created) workload
 * vends nothing. A refusal is confirmed by a consistent read first: an eventually consistent read
 * (or a freshness window) may not show a workload or provider created a moment ago.
 */
export async function liveProvider(
  lookup: VendingLookup,
  principal: WorkloadPrincipal,
  provider: ProviderKey,
  bindingId?: string,
): Promise<VendingLookupResult & { provider: CredentialProviderRecord }> {
  let found = await lookup.lookup(principal.workloadName, provider, bindingId);
  if (found.workloadCreatedTime !== principal.workloadCreatedTime || !found.provider) found = await lookup.lookup(principal.workloadName, provider, bindingId, { consistent: true });
  if (found.workloadCreatedTime !== principal.workloadCreatedTime) {
    throw new UnauthorizedException(`The workload access token is for workload ${principal.workloadName}, which no longer exists`);
  }
  if (!found.provider) throw new ResourceNotFoundException(`${provider.kind === 'apikey' ? 'API key' : 'OAuth2'} credential provider ${provider.name} does not exist`);
  return found as VendingLookupResult & { provider: CredentialProviderRecord };
}
