import type { CredentialProviderRecord } from '../credential-providers/store.js';
import { ResourceNotFoundException, ValidationException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import { bindingKeyOf, legacyProviderRef, providerRef } from '../oauth2/bindings.js';
import { SESSION_URI_PREFIX } from '../oauth2/consent.js';
import type { SessionStore } from '../oauth2/sessions.js';
import { workloadIncarnation, type BindingKey, type VaultBinding } from '../token-vault/store.js';
import { isRefused, type TokenVault } from '../token-vault/vault.js';
import { userKey, type WorkloadPrincipal } from '../workload-access-tokens/workload-access-token.js';
import type { VendingLookup } from './lookup.js';
import { expiryMargin } from './machine-token-cache.js';
import type { refresher } from './refresh.js';
import type { consentStarter } from './start-consent.js';
import type { TokenRequest } from './token-request.js';
import { liveProvider } from './vend.js';

export interface UserFederationDependencies {
  lookup: VendingLookup;
  vault: TokenVault;
  sessions: SessionStore;
  refresh: ReturnType<typeof refresher>;
  startConsent: ReturnType<typeof consentStarter>;
  now: () => number;
}

type ConsentState = { sessionUri: string; sessionStatus: 'IN_PROGRESS' | 'FAILED' };

/**
 * USER_FEDERATION: the vault's token for this workload, user and provider when it covers the
 * scopes (refreshed once across containers when it has expired), else a new consent.
 */
export function userFederation(deps: UserFederationDependencies) {
  const { now } = deps;

  function usable(binding: VaultBinding): boolean {
    return binding.expiresAt === undefined || binding.expiresAt - expiryMargin(binding.expiresAt, binding.updatedAt) > now();
  }

  /** A consent's state when a vend names its sessionUri; undefined once it completed into the binding. */
  async function pollSession(sessionUri: string, key: BindingKey, binding: VaultBinding | undefined): Promise<ConsentState | undefined> {
    const session = await deps.sessions.get(sessionUri.slice(SESSION_URI_PREFIX.length));
    if (!session || bindingKeyOf(session).workload !== key.workload || userKey(session.user) !== key.user || bindingKeyOf(session).provider !== key.provider) {
      throw new ResourceNotFoundException('No consent session with this sessionUri exists for this workload, user and provider');
    }
    const expired = session.expiresAt * 1000 < now();
    if (session.status === 'FAILED' || (expired && session.status !== 'COMPLETED')) return { sessionUri, sessionStatus: 'FAILED' };
    if (session.status !== 'COMPLETED') return { sessionUri, sessionStatus: 'IN_PROGRESS' };
    return binding ? undefined : { sessionUri, sessionStatus: 'FAILED' };
  }

  /** The binding's token, refreshed if need be; undefined when only a new consent can help. */
  async function fromVault(binding: VaultBinding, record: CredentialProviderRecord, deadline: number): Promise<string | undefined> {
    if (isRefused(binding)) return undefined;
    if (usable(binding)) return (await deps.vault.open(binding)).accessToken;
    if (!binding.hasRefreshToken) return undefined;
    const outcome = await deps.refresh(binding, record, deadline);
    return 'accessToken' in outcome ? outcome.accessToken : undefined;
  }

  return async (principal: WorkloadPrincipal, input: TokenRequest, caller: CallerContext, deadline: number) => {
    if (!principal.user) throw ValidationException.field('workloadIdentityToken', 'must be a workload access token for a user (ForUserId or ForJWT) in the USER_FEDERATION flow');
    const workload = workloadIncarnation(principal.workloadName, principal.workloadCreatedTime);
    const user = userKey(principal.user);
    // The slot is the provider's name: the binding comes in the same round trip as the record.
    const slot = deps.vault.id({ workload, user, provider: legacyProviderRef(input.resourceCredentialProviderName) });
    const found = await liveProvider(deps.lookup, principal, { kind: 'oauth2', name: input.resourceCredentialProviderName }, slot);
    const record = found.provider;
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
      const accessToken = await fromVault(binding, record, deadline);
      if (accessToken) return { accessToken };
    }
    // A workload that names return URLs binds every consent to its user through one of them;
    // only a workload with none accepts tokens straight from the callback.
    if (!input.resourceOauth2ReturnUrl && (found.allowedReturnUrls?.length ?? 0) > 0) {
      throw ValidationException.field('resourceOauth2ReturnUrl', `is required to start a consent: workload identity ${principal.workloadName} binds consents to users through its allowed return URLs`);
    }
    return deps.startConsent(principal, record, input, caller);
  };
}
