import { audit } from '../audit.js';
import { clientOf, settingsOf } from '../credential-providers/oauth2-providers.js';
import type { ProviderSecrets } from '../credential-providers/provider-secrets.js';
import type { CredentialProviderRecord } from '../credential-providers/store.js';
import { AgentCoreError, ResourceNotFoundException, ValidationException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import { logger } from '../logger.js';
import { bindingKeyOf, legacyProviderRef, providerRef } from '../oauth2/bindings.js';
import { SESSION_URI_PREFIX, type ConsentSecrets } from '../oauth2/consent.js';
import type { SessionStore } from '../oauth2/sessions.js';
import { requestToken } from '../oauth2/token-endpoint.js';
import { upstreamError } from '../oauth2/upstream-errors.js';
import { isTokenError } from '../oauth2/token-response.js';
import { vendorOf } from '../oauth2/vendors.js';
import { workloadIncarnation, type BindingKey, type VaultBinding } from '../token-vault/store.js';
import type { TokenVault } from '../token-vault/vault.js';
import { userKey, type WorkloadAccessTokens, type WorkloadPrincipal } from '../workload-access-tokens/workload-access-token.js';
import { checkWorkloadAlive, principalFor } from './api-key-vending.js';
import type { VendingLookup } from './lookup.js';
import { DEFAULT_MACHINE_TOKEN_CACHE_LIMITS, expiryMargin, MachineTokenCache, type MachineTokenCacheLimits } from './machine-token-cache.js';
import { MAX_UPSTREAM_MS, refresher, WRITE_RESERVE_MS } from './refresh.js';
import { consentStarter } from './start-consent.js';

export interface OAuth2VendingDependencies {
  tokens: WorkloadAccessTokens;
  lookup: VendingLookup;
  /** The registry without any freshness window, for checks that must see a deletion at once. */
  registry: VendingLookup;
  secrets: ProviderSecrets;
  vault: TokenVault;
  sessions: SessionStore;
  consent: ConsentSecrets;
  settings: { consentSessionSeconds: number; machineTokenCache?: MachineTokenCacheLimits };
  now?: () => number;
}

interface TokenRequest {
  workloadIdentityToken: string;
  resourceCredentialProviderName: string;
  scopes: string[];
  oauth2Flow: 'M2M' | 'USER_FEDERATION' | 'ON_BEHALF_OF_TOKEN_EXCHANGE';
  sessionUri?: string;
  resourceOauth2ReturnUrl?: string;
  forceAuthentication?: boolean;
  customState?: string;
  customParameters?: Record<string, string>;
  resources?: string[];
  audiences?: string[];
}

/** Without a deadline from Lambda (direct calls), as much as a 15-second function leaves. */
const DEFAULT_BUDGET_MS = 14_000;

/**
 * GetResourceOauth2Token for all three flows. Warm, every flow is one DynamoDB round trip
 * (workload, provider and, for a user, the vault binding in one BatchGetItem) and no KMS call.
 */
export function oauth2Vending(deps: OAuth2VendingDependencies) {
  const now = deps.now ?? Date.now;
  const machineTokens = new MachineTokenCache(deps.settings.machineTokenCache ?? DEFAULT_MACHINE_TOKEN_CACHE_LIMITS, now);

  async function clientSecret(record: CredentialProviderRecord): Promise<string> {
    const secret = await deps.secrets.credential(record);
    if (typeof secret !== 'string') throw new ResourceNotFoundException(`The client secret of credential provider ${record.name} cannot be read from its secret`);
    return secret;
  }
  const refresh = refresher({ vault: deps.vault, clientSecret, now });
  const startConsent = consentStarter({ sessions: deps.sessions, consent: deps.consent, registry: deps.registry, settings: deps.settings, now });
  const deadlineOf = (caller: CallerContext) => caller.deadline ?? now() + DEFAULT_BUDGET_MS;

  async function machineToken(principal: WorkloadPrincipal, record: CredentialProviderRecord, input: TokenRequest, grant: Record<string, string | string[] | undefined>, caller: CallerContext) {
    // The provider's creation time: a provider deleted and created again (other client, other server) starts afresh.
    const key = MachineTokenCache.keyOf([principal.workloadName, principal.workloadCreatedTime, principal.user ? userKey(principal.user) : '', record.name, record.createdTime, [...input.scopes].sort(), input.resources ?? [], input.audiences ?? [], grant.grant_type]);
    const cached = machineTokens.get(key, record.secretGeneration);
    if (cached) return cached;
    const settings = settingsOf(record);
    const vendor = vendorOf(settings.vendor);
    const timeoutMs = Math.min(MAX_UPSTREAM_MS, deadlineOf(caller) - now() - WRITE_RESERVE_MS);
    const issuedAt = now();
    const result = await requestToken(
      vendor,
      settings.server,
      clientOf(record, await clientSecret(record)),
      {
        ...grant,
        scope: input.scopes.length ? vendor.requestScopes(input.scopes).join(vendor.scopeSeparator) : undefined,
        resource: input.resources,
        audience: input.audiences,
      },
      now,
      { timeoutMs: Math.max(timeoutMs, 500) },
    );
    if (isTokenError(result)) throw upstreamError(record.name, result);
    machineTokens.set(key, result, record.secretGeneration, issuedAt);
    return result.accessToken;
  }

  function usable(binding: VaultBinding): boolean {
    return binding.expiresAt === undefined || binding.expiresAt - expiryMargin(binding.expiresAt, binding.updatedAt) > now();
  }

  /** A consent's state when a vend names its sessionUri; undefined once it completed into the binding. */
  async function pollSession(sessionUri: string, key: BindingKey, binding: VaultBinding | undefined) {
    const session = await deps.sessions.get(sessionUri.slice(SESSION_URI_PREFIX.length));
    if (!session || bindingKeyOf(session).workload !== key.workload || userKey(session.user) !== key.user || bindingKeyOf(session).provider !== key.provider) {
      throw new ResourceNotFoundException('No consent session with this sessionUri exists for this workload, user and provider');
    }
    const expired = session.expiresAt * 1000 < now();
    if (session.status === 'FAILED' || (expired && session.status !== 'COMPLETED')) return { sessionUri, sessionStatus: 'FAILED' as const };
    if (session.status !== 'COMPLETED') return { sessionUri, sessionStatus: 'IN_PROGRESS' as const };
    if (!binding) return { sessionUri, sessionStatus: 'FAILED' as const };
    return undefined;
  }

  async function userFederation(principal: WorkloadPrincipal, input: TokenRequest, caller: CallerContext) {
    if (!principal.user) throw ValidationException.field('workloadIdentityToken', 'must be a workload access token for a user (ForUserId or ForJWT) in the USER_FEDERATION flow');
    const workload = workloadIncarnation(principal.workloadName, principal.workloadCreatedTime);
    const user = userKey(principal.user);
    // The slot is the provider's name: the binding comes in the same round trip as the record.
    const slot = deps.vault.id({ workload, user, provider: legacyProviderRef(input.resourceCredentialProviderName) });
    const found = await deps.lookup.lookup(principal.workloadName, { kind: 'oauth2', name: input.resourceCredentialProviderName }, slot);
    checkWorkloadAlive(principal, found.workloadCreatedTime);
    const record = found.provider;
    if (!record) throw new ResourceNotFoundException(`OAuth2 credential provider ${input.resourceCredentialProviderName} does not exist`);
    const key: BindingKey = { workload, user, provider: providerRef(record.name, record.createdTime) };
    // A slot filled for another incarnation of the provider (or before incarnations) holds nothing for this one.
    const binding = found.binding?.provider === key.provider ? found.binding : undefined;
    if (input.resourceOauth2ReturnUrl && !found.allowedReturnUrls?.includes(input.resourceOauth2ReturnUrl)) {
      throw ValidationException.field('resourceOauth2ReturnUrl', `is not one of the allowed return URLs of workload identity ${principal.workloadName}`);
    }

    if (input.sessionUri) {
      const pending = await pollSession(input.sessionUri, key, binding);
      if (pending) return pending;
      // Complete: from here on the binding is served like any other (expiry, refresh, scopes).
    }

    const covers = binding && input.scopes.every((s) => binding.scopes.includes(s));
    if (binding && covers && (!input.forceAuthentication || input.sessionUri)) {
      if (usable(binding)) return { accessToken: (await deps.vault.open(binding)).accessToken };
      if (binding.hasRefreshToken) {
        const outcome = await refresh(binding, record, deadlineOf(caller));
        if ('accessToken' in outcome) return { accessToken: outcome.accessToken };
      }
    }
    // A workload that names return URLs binds every consent to its user through one of them;
    // only a workload with none accepts tokens straight from the callback.
    if (!input.resourceOauth2ReturnUrl && (found.allowedReturnUrls?.length ?? 0) > 0) {
      throw ValidationException.field('resourceOauth2ReturnUrl', `is required to start a consent: workload identity ${principal.workloadName} binds consents to users through its allowed return URLs`);
    }
    return startConsent(principal, record, input, caller);
  }

  async function machineFlow(principal: WorkloadPrincipal, input: TokenRequest, caller: CallerContext) {
    const found = await deps.lookup.lookup(principal.workloadName, { kind: 'oauth2', name: input.resourceCredentialProviderName });
    checkWorkloadAlive(principal, found.workloadCreatedTime);
    const record = found.provider;
    if (!record) throw new ResourceNotFoundException(`OAuth2 credential provider ${input.resourceCredentialProviderName} does not exist`);
    if (input.oauth2Flow === 'M2M') return { accessToken: await machineToken(principal, record, input, { grant_type: 'client_credentials' }, caller) };

    const obo = settingsOf(record).onBehalfOf;
    if (!obo) throw ValidationException.field('oauth2Flow', `ON_BEHALF_OF_TOKEN_EXCHANGE needs a credential provider with onBehalfOfTokenExchangeConfig; ${record.name} has none`);
    if (!principal.userToken) throw ValidationException.field('workloadIdentityToken', 'must be a workload access token minted from a user JWT (GetWorkloadAccessTokenForJWT) for ON_BEHALF_OF_TOKEN_EXCHANGE');
    const grant =
      obo.grantType === 'JWT_AUTHORIZATION_GRANT'
        ? { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: principal.userToken }
        : { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: principal.userToken, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' };
    return { accessToken: await machineToken(principal, record, input, grant, caller) };
  }

  return async (input: TokenRequest, caller: CallerContext) => {
    let principal: WorkloadPrincipal | undefined;
    try {
      principal = await principalFor(deps, input.workloadIdentityToken, caller);
      const result = input.oauth2Flow === 'USER_FEDERATION' ? await userFederation(principal, input, caller) : await machineFlow(principal, input, caller);
      audit({
        operation: `GetResourceOauth2Token/${input.oauth2Flow}`,
        requestId: caller.requestId,
        workload: principal.workloadName,
        user: principal.user,
        provider: input.resourceCredentialProviderName,
        outcome: 'accessToken' in result ? 'success' : 'refused',
        ...('accessToken' in result ? {} : { errorType: `consent ${result.sessionStatus}` }),
      });
      return result;
    } catch (error) {
      const known = error instanceof AgentCoreError;
      if (!known) logger.error('oauth2 vend failed', { name: (error as Error).name, message: (error as Error).message });
      audit({
        operation: `GetResourceOauth2Token/${input.oauth2Flow}`,
        requestId: caller.requestId,
        workload: principal?.workloadName,
        user: principal?.user,
        provider: input.resourceCredentialProviderName,
        outcome: known ? 'refused' : 'error',
        errorType: known ? error.errorType : 'InternalServerException',
      });
      throw error;
    }
  };
}
