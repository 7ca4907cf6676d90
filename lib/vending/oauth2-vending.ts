import { audit } from '../audit.js';
import { clientOf, settingsOf } from '../credential-providers/oauth2-providers.js';
import type { ProviderSecrets } from '../credential-providers/provider-secrets.js';
import type { CredentialProviderRecord } from '../credential-providers/store.js';
import { AccessDeniedException, AgentCoreError, ResourceNotFoundException, ValidationException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import { logger } from '../logger.js';
import { ConsentSecrets, SESSION_URI_PREFIX } from '../oauth2/consent.js';
import type { ConsentSession, SessionStore } from '../oauth2/sessions.js';
import { requestToken } from '../oauth2/token-endpoint.js';
import { upstreamError } from '../oauth2/upstream-errors.js';
import { isTokenError, vendorOf, type NormalizedToken } from '../oauth2/vendors.js';
import { OAUTH2_CALLBACK_PATH } from '../credential-providers/oauth2-providers.js';
import { bindingKeyOf, providerRef } from '../oauth2/bindings.js';
import { workloadIncarnation, type BindingKey, type VaultBinding } from '../token-vault/store.js';
import type { TokenVault } from '../token-vault/vault.js';
import { userKey, type WorkloadAccessTokens, type WorkloadPrincipal } from '../workload-access-tokens/workload-access-token.js';
import { checkWorkloadAlive, principalFor } from './api-key-vending.js';
import type { VendingLookup } from './lookup.js';

export interface OAuth2VendingDependencies {
  tokens: WorkloadAccessTokens;
  lookup: VendingLookup;
  secrets: ProviderSecrets;
  vault: TokenVault;
  sessions: SessionStore;
  consent: ConsentSecrets;
  settings: { consentSessionSeconds: number };
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

/**
 * A token is used until shortly before it expires, so a caller never receives one about to lapse:
 * a minute, or a quarter of its lifetime for short-lived tokens.
 */
const EXPIRY_MARGIN_MS = 60_000;
function margin(expiresAt: number, issuedAt: number): number {
  return Math.min(EXPIRY_MARGIN_MS, Math.max(0, expiresAt - issuedAt) / 4);
}
const REFRESH_LOCK_MS = 10_000;
const RESERVED_PARAMETERS = new Set(['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'scope', 'client_secret']);

/**
 * GetResourceOauth2Token for all three flows. Warm, every flow is one DynamoDB round trip
 * (workload, provider and, for a user, the vault binding in one BatchGetItem) and no KMS call.
 */
export function oauth2Vending(deps: OAuth2VendingDependencies) {
  const now = deps.now ?? Date.now;
  /** Machine tokens by workload, provider (and its secret generation), scopes and targets. */
  const machineTokens = new Map<string, { token: NormalizedToken; generation: number; issuedAt: number }>();

  async function clientSecret(record: CredentialProviderRecord): Promise<string> {
    const secret = await deps.secrets.credential(record);
    if (typeof secret !== 'string') throw new ResourceNotFoundException(`The client secret of credential provider ${record.name} cannot be read from its secret`);
    return secret;
  }

  async function machineToken(principal: WorkloadPrincipal, record: CredentialProviderRecord, input: TokenRequest, grant: Record<string, string | string[] | undefined>) {
    // The provider's creation time: a provider deleted and created again (other client, other server) starts afresh.
    const key = JSON.stringify([principal.workloadName, principal.workloadCreatedTime, principal.user ? userKey(principal.user) : '', record.name, record.createdTime, [...input.scopes].sort(), input.resources ?? [], input.audiences ?? [], grant.grant_type]);
    const cached = machineTokens.get(key);
    if (cached && cached.generation === record.secretGeneration && (cached.token.expiresAt ?? 0) - margin(cached.token.expiresAt ?? 0, cached.issuedAt) > now()) {
      return cached.token.accessToken;
    }
    const settings = settingsOf(record);
    const vendor = vendorOf(settings.vendor);
    const result = await requestToken(vendor, settings.server, clientOf(record, await clientSecret(record)), {
      ...grant,
      scope: input.scopes.length ? vendor.requestScopes(input.scopes).join(vendor.scopeSeparator) : undefined,
      resource: input.resources,
      audience: input.audiences,
    });
    if (isTokenError(result)) throw upstreamError(record.name, result);
    // Without a lifetime a machine token is not cached: it cannot be known to be still valid.
    if (result.expiresAt !== undefined) machineTokens.set(key, { token: result, generation: record.secretGeneration, issuedAt: now() });
    return result.accessToken;
  }

  async function startConsent(principal: WorkloadPrincipal, record: CredentialProviderRecord, input: TokenRequest, caller: CallerContext) {
    const settings = settingsOf(record);
    const vendor = vendorOf(settings.vendor);
    for (const name of Object.keys(input.customParameters ?? {})) {
      if (RESERVED_PARAMETERS.has(name)) throw ValidationException.field(`customParameters.${name}`, 'is set by the service and cannot be overridden');
    }
    const id = deps.consent.newSessionId();
    const { kid, state, codeChallenge } = await deps.consent.issue(id);
    const callbackUrl = `${caller.publicBaseUrl}${OAUTH2_CALLBACK_PATH}`;
    const session: ConsentSession = {
      id,
      provider: providerRef(record.name),
      providerName: record.name,
      workload: principal.workloadName,
      workloadCreatedTime: principal.workloadCreatedTime,
      user: principal.user!,
      scopes: input.scopes,
      callbackUrl,
      ...(input.resourceOauth2ReturnUrl ? { returnUrl: input.resourceOauth2ReturnUrl } : {}),
      ...(input.customState ? { customState: input.customState } : {}),
      kid,
      status: 'IN_PROGRESS',
      expiresAt: Math.floor(now() / 1000) + deps.settings.consentSessionSeconds,
      createdAt: now(),
    };
    await deps.sessions.create(session);
    const url = new URL(settings.server.authorizationEndpoint);
    const parameters: Record<string, string> = {
      ...vendor.authorizationParameters(input.scopes),
      ...(input.customParameters ?? {}),
      response_type: 'code',
      client_id: settings.clientId,
      redirect_uri: callbackUrl,
      scope: vendor.requestScopes(input.scopes).join(vendor.scopeSeparator),
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(parameters)) url.searchParams.set(k, v);
    return { authorizationUrl: url.toString(), sessionUri: `${SESSION_URI_PREFIX}${id}`, sessionStatus: 'IN_PROGRESS' as const };
  }

  /** Exactly one container refreshes a binding; the others wait for its result. */
  async function refreshed(binding: VaultBinding, record: CredentialProviderRecord): Promise<string | 'reconsent'> {
    let current = binding;
    const deadline = now() + REFRESH_LOCK_MS;
    while (now() < deadline) {
      if (await deps.vault.store.lockForRefresh(current.id, current.version, now() + REFRESH_LOCK_MS, now())) {
        const tokens = await deps.vault.open(current);
        const settings = settingsOf(record);
        const vendor = vendorOf(settings.vendor);
        const result = await requestToken(vendor, settings.server, clientOf(record, await clientSecret(record)), { grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
        if (isTokenError(result)) {
          if (result.error === 'invalid_grant') {
            await deps.vault.store.delete(current.id, current.version);
            return 'reconsent';
          }
          await deps.vault.store.put({ ...current, refreshLockUntil: 0 }, { version: current.version });
          throw upstreamError(record.name, result);
        }
        // A rotated refresh token replaces the old one; an answer without one keeps it.
        const next = { accessToken: result.accessToken, refreshToken: result.refreshToken ?? tokens.refreshToken, tokenType: result.tokenType, extras: result.extras };
        // The consented scopes stay what they were: servers differ in what they echo back.
        await deps.vault.write(current, next, { scopes: current.scopes, expiresAt: result.expiresAt }, { version: current.version }, current.version);
        return result.accessToken;
      }
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 50));
      const latest = await deps.vault.store.get(current.id);
      if (!latest) return 'reconsent';
      // Refreshed by another container a moment ago: fresh enough, whatever its lifetime.
      if (latest.version > current.version && (latest.expiresAt === undefined || latest.expiresAt > now())) return (await deps.vault.open(latest)).accessToken;
      current = latest;
    }
    throw new AccessDeniedException(`The token of credential provider ${record.name} could not be refreshed in time; retry`);
  }

  function usable(binding: VaultBinding): boolean {
    return binding.expiresAt === undefined || binding.expiresAt - margin(binding.expiresAt, binding.updatedAt) > now();
  }

  async function userFederation(principal: WorkloadPrincipal, input: TokenRequest, caller: CallerContext) {
    if (!principal.user) throw ValidationException.field('workloadIdentityToken', 'must be a workload access token for a user (ForUserId or ForJWT) in the USER_FEDERATION flow');
    const key: BindingKey = { workload: workloadIncarnation(principal.workloadName, principal.workloadCreatedTime), user: userKey(principal.user), provider: providerRef(input.resourceCredentialProviderName) };
    const found = await deps.lookup.lookup(principal.workloadName, { kind: 'oauth2', name: input.resourceCredentialProviderName }, deps.vault.id(key));
    checkWorkloadAlive(principal, found.workloadCreatedTime);
    const record = found.provider;
    if (!record) throw new ResourceNotFoundException(`OAuth2 credential provider ${input.resourceCredentialProviderName} does not exist`);
    if (input.resourceOauth2ReturnUrl && !found.allowedReturnUrls?.includes(input.resourceOauth2ReturnUrl)) {
      throw ValidationException.field('resourceOauth2ReturnUrl', `is not one of the allowed return URLs of workload identity ${principal.workloadName}`);
    }

    if (input.sessionUri) {
      const session = await deps.sessions.get(input.sessionUri.slice(SESSION_URI_PREFIX.length));
      if (!session || bindingKeyOf(session).workload !== key.workload || userKey(session.user) !== key.user || session.providerName !== record.name) {
        throw new ResourceNotFoundException('No consent session with this sessionUri exists for this workload, user and provider');
      }
      const expired = session.expiresAt * 1000 < now();
      if (session.status === 'FAILED' || (expired && session.status !== 'COMPLETED')) return { sessionUri: input.sessionUri, sessionStatus: 'FAILED' as const };
      if (session.status !== 'COMPLETED') return { sessionUri: input.sessionUri, sessionStatus: 'IN_PROGRESS' as const };
      if (!found.binding) return { sessionUri: input.sessionUri, sessionStatus: 'FAILED' as const };
      // Complete: from here on the binding is served like any other (expiry, refresh, scopes).
    }

    const binding = found.binding;
    const covers = binding && input.scopes.every((s) => binding.scopes.includes(s));
    if (binding && covers && (!input.forceAuthentication || input.sessionUri)) {
      if (usable(binding)) return { accessToken: (await deps.vault.open(binding)).accessToken };
      if (binding.hasRefreshToken) {
        const token = await refreshed(binding, record);
        if (token !== 'reconsent') return { accessToken: token };
      }
    }
    // A workload that names return URLs binds every consent to its user through one of them;
    // only a workload with none accepts tokens straight from the callback.
    if (!input.resourceOauth2ReturnUrl && (found.allowedReturnUrls?.length ?? 0) > 0) {
      throw ValidationException.field('resourceOauth2ReturnUrl', `is required to start a consent: workload identity ${principal.workloadName} binds consents to users through its allowed return URLs`);
    }
    return startConsent(principal, record, input, caller);
  }

  async function machineFlow(principal: WorkloadPrincipal, input: TokenRequest) {
    const found = await deps.lookup.lookup(principal.workloadName, { kind: 'oauth2', name: input.resourceCredentialProviderName });
    checkWorkloadAlive(principal, found.workloadCreatedTime);
    const record = found.provider;
    if (!record) throw new ResourceNotFoundException(`OAuth2 credential provider ${input.resourceCredentialProviderName} does not exist`);
    if (input.oauth2Flow === 'M2M') return { accessToken: await machineToken(principal, record, input, { grant_type: 'client_credentials' }) };

    const obo = settingsOf(record).onBehalfOf;
    if (!obo) throw ValidationException.field('oauth2Flow', `ON_BEHALF_OF_TOKEN_EXCHANGE needs a credential provider with onBehalfOfTokenExchangeConfig; ${record.name} has none`);
    if (!principal.userToken) throw ValidationException.field('workloadIdentityToken', 'must be a workload access token minted from a user JWT (GetWorkloadAccessTokenForJWT) for ON_BEHALF_OF_TOKEN_EXCHANGE');
    const grant =
      obo.grantType === 'JWT_AUTHORIZATION_GRANT'
        ? { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: principal.userToken }
        : { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: principal.userToken, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' };
    return { accessToken: await machineToken(principal, record, input, grant) };
  }

  return async (input: TokenRequest, caller: CallerContext) => {
    let principal: WorkloadPrincipal | undefined;
    try {
      principal = await principalFor(deps, input.workloadIdentityToken, caller);
      const result = input.oauth2Flow === 'USER_FEDERATION' ? await userFederation(principal, input, caller) : await machineFlow(principal, input);
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
