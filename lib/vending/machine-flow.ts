import { settingsOf } from '../credential-providers/oauth2-providers.js';
import type { CredentialProviderRecord } from '../credential-providers/store.js';
import { ValidationException } from '../errors.js';
import { requestToken, type ClientCredentials } from '../oauth2/token-endpoint.js';
import { isTokenError } from '../oauth2/token-response.js';
import { upstreamError } from '../oauth2/upstream-errors.js';
import { vendorOf } from '../oauth2/vendors.js';
import { userKey, type WorkloadPrincipal } from '../workload-access-tokens/workload-access-token.js';
import { DEFAULT_MACHINE_TOKEN_CACHE_LIMITS, MachineTokenCache, type MachineTokenCacheLimits } from './machine-token-cache.js';
import { MAX_UPSTREAM_MS, WRITE_RESERVE_MS } from '../token-vault/vault.js';
import type { TokenRequest } from './token-request.js';

export interface MachineFlowDependencies {
  client: (record: CredentialProviderRecord) => Promise<ClientCredentials>;
  limits?: MachineTokenCacheLimits;
  now: () => number;
}

/**
 * The flows without a user's consent: M2M (client credentials) and the token exchange for the
 * user whose JWT minted the WAT. Both end in one token request, and their tokens are cached per
 * container until shortly before they expire.
 */
export function machineFlows(deps: MachineFlowDependencies) {
  const { now } = deps;
  const cache = new MachineTokenCache(deps.limits ?? DEFAULT_MACHINE_TOKEN_CACHE_LIMITS, now);

  async function machineToken(principal: WorkloadPrincipal, record: CredentialProviderRecord, input: TokenRequest, grant: Record<string, string | string[] | undefined>, deadline: number) {
    // The provider's creation time: a provider deleted and created again (other client, other server) starts afresh.
    const key = MachineTokenCache.keyOf([principal.workloadName, principal.workloadCreatedTime, principal.user ? userKey(principal.user) : '', record.name, record.createdTime, [...input.scopes].sort(), input.resources ?? [], input.audiences ?? [], grant.grant_type]);
    const cached = cache.get(key, record.secretGeneration);
    if (cached) return cached;
    const settings = settingsOf(record);
    const vendor = vendorOf(settings.vendor);
    const timeoutMs = Math.min(MAX_UPSTREAM_MS, deadline - now() - WRITE_RESERVE_MS);
    const issuedAt = now();
    const scope = input.scopes.length ? vendor.requestScopes(input.scopes).join(vendor.scopeSeparator) : undefined;
    const client = await deps.client(record);
    const result = await requestToken(vendor, settings.server, client, { ...grant, scope, resource: input.resources, audience: input.audiences }, now, { timeoutMs: Math.max(timeoutMs, 500) });
    if (isTokenError(result)) throw upstreamError(record.name, result);
    cache.set(key, result, record.secretGeneration, issuedAt);
    return result.accessToken;
  }

  return async (principal: WorkloadPrincipal, record: CredentialProviderRecord, input: TokenRequest, deadline: number) => {
    if (input.oauth2Flow === 'M2M') return { accessToken: await machineToken(principal, record, input, { grant_type: 'client_credentials' }, deadline) };
    const obo = settingsOf(record).onBehalfOf;
    if (!obo) throw ValidationException.field('oauth2Flow', `ON_BEHALF_OF_TOKEN_EXCHANGE needs a credential provider with onBehalfOfTokenExchangeConfig; ${record.name} has none`);
    if (!principal.userToken) throw ValidationException.field('workloadIdentityToken', 'must be a workload access token minted from a user JWT (GetWorkloadAccessTokenForJWT) for ON_BEHALF_OF_TOKEN_EXCHANGE');
    const grant =
      obo.grantType === 'JWT_AUTHORIZATION_GRANT'
        ? { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: principal.userToken }
        : { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: principal.userToken, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' };
    return { accessToken: await machineToken(principal, record, input, grant, deadline) };
  };
}
