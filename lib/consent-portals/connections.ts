import { settingsOf } from '../credential-providers/oauth2-providers.js';
import type { CredentialProviderRecord, CredentialProviderStore } from '../credential-providers/store.js';
import { ResourceNotFoundException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import { providerRef } from '../oauth2/bindings.js';
import { SESSION_URI_PREFIX } from '../oauth2/consent.js';
import { workloadIncarnation, type VaultBinding } from '../token-vault/store.js';
import { isRefused, type TokenVault } from '../token-vault/vault.js';
import type { consentStarter } from '../vending/start-consent.js';
import { releaseConsent, type ReleaseDependencies } from '../vending/complete-auth.js';
import { userKey, type UserRef } from '../workload-access-tokens/workload-access-token.js';
import type { WorkloadIdentityRecord, WorkloadIdentityStore } from '../workload-identities/store.js';
import { revokeAtProvider, type RevocationDependencies, type RevocationOutcome } from './revocation.js';
import { portalTargets } from './portal-tags.js';
import type { ConsentPortalRecord } from './store.js';

/** The scopes Connect asks a provider for: `agentcore-identity:scopes:<provider>`, separated by spaces. */
export const SCOPES_TAG_PREFIX = 'agentcore-identity:scopes:';

export type ConnectionState = 'connected' | 'needs-consent' | 'not-connected' | 'unavailable';

export interface Connection {
  provider: string;
  state: ConnectionState;
  scopes: string[];
  /** When the user connected (epoch ms). */
  since?: number;
  /** Where Connect sends the browser (the origin of the provider's authorization endpoint): the page's form-action allows it. */
  authorizationOrigin?: string;
}

export interface ConnectionDependencies extends ReleaseDependencies, RevocationDependencies {
  identities: Pick<WorkloadIdentityStore, 'get'>;
  providers: Pick<CredentialProviderStore, 'get'>;
  vault: TokenVault;
  startConsent: ReturnType<typeof consentStarter>;
  now?: () => number;
}

/** The binding of this user in the slot of this workload and provider incarnation, if any. */
async function bindingOf(vault: TokenVault, workload: WorkloadIdentityRecord, record: CredentialProviderRecord, user: UserRef): Promise<VaultBinding | undefined> {
  const key = { workload: workloadIncarnation(workload.name, workload.createdTime), user: userKey(user), provider: providerRef(record.name, record.createdTime) };
  const binding = await vault.get(vault.id(key));
  return binding && binding.provider === key.provider && binding.workload === key.workload && binding.user === key.user ? binding : undefined;
}

/** Whether a binding still vends: shared by the portal's Connections and the extension ListUserConnections. */
export function stateOf(binding: Pick<VaultBinding, 'refreshFailure' | 'hasRefreshToken' | 'expiresAt'> | undefined, now: number): ConnectionState {
  if (!binding) return 'not-connected';
  // A refused refresh token (the vault keeps the refusal) or an expired token that cannot be refreshed: consent again.
  if (isRefused(binding) || (!binding.hasRefreshToken && binding.expiresAt !== undefined && binding.expiresAt <= now)) return 'needs-consent';
  return 'connected';
}

/** The origin of a provider's authorization endpoint, if it has a usable one. */
function authorizationOriginOf(record: CredentialProviderRecord): string | undefined {
  const endpoint = settingsOf(record).server.authorizationEndpoint;
  return endpoint && URL.canParse(endpoint) ? new URL(endpoint).origin : undefined;
}

/**
 * A portal's Connections: for the signed-in user, each provider the portal lists with its state
 * in the vault of the portal's workload; Connect runs the 3-legged flow for that workload and
 * user, its tokens released to the vault only when the same signed-in user lands back; Disconnect
 * revokes at the provider where it can and deletes the binding.
 */
export function portalConnections(deps: ConnectionDependencies) {
  const now = deps.now ?? Date.now;
  const scopesOf = (portal: ConsentPortalRecord, provider: string) => (portal.tags[`${SCOPES_TAG_PREFIX}${provider}`] ?? '').split(/\s+/).filter(Boolean);
  /** The portal's workload and the named providers' records, one read each. */
  const targetsOf = async (portal: ConsentPortalRecord, names: string[]) => {
    const [workload, records] = await Promise.all([
      deps.identities.get(portalTargets(portal.tags).workloadName),
      Promise.all(names.map((name) => deps.providers.get({ kind: 'oauth2', name }))),
    ]);
    return { workload, records };
  };
  const resolve = async (portal: ConsentPortalRecord, provider: string) => {
    if (!portalTargets(portal.tags).providerNames.includes(provider)) return undefined;
    const { workload, records: [record] } = await targetsOf(portal, [provider]);
    return workload && record ? { workload, record } : undefined;
  };

  return {
    /** One read of the workload and of each listed provider, then each binding. */
    async list(portal: ConsentPortalRecord, user: UserRef): Promise<Connection[]> {
      const { providerNames } = portalTargets(portal.tags);
      const { workload, records } = await targetsOf(portal, providerNames);
      return Promise.all(
        providerNames.map(async (provider, i): Promise<Connection> => {
          const record = records[i];
          if (!workload || !record) return { provider, state: 'unavailable', scopes: [] };
          const binding = await bindingOf(deps.vault, workload, record, user);
          const origin = authorizationOriginOf(record);
          return {
            provider,
            state: stateOf(binding, now()),
            scopes: binding?.scopes ?? scopesOf(portal, provider),
            ...(binding ? { since: binding.updatedAt } : {}),
            ...(origin ? { authorizationOrigin: origin } : {}),
          };
        }),
      );
    },

    /** The authorization URL of a new consent for this user, landing back at `returnUrl`; undefined for a provider the portal does not list. */
    async connect(portal: ConsentPortalRecord, user: UserRef, provider: string, returnUrl: string, caller: CallerContext): Promise<string | undefined> {
      const found = await resolve(portal, provider);
      if (!found) return undefined;
      const principal = { workloadName: found.workload.name, workloadCreatedTime: found.workload.createdTime, user };
      const started = await deps.startConsent(principal, found.record, { scopes: scopesOf(portal, provider), resourceOauth2ReturnUrl: returnUrl }, caller);
      return started.authorizationUrl;
    },

    /** Releases the consent the browser came back with, for the signed-in user only. */
    async complete(portal: ConsentPortalRecord, sessionUri: string, user: UserRef, requestId: string): Promise<void> {
      if (!sessionUri.startsWith(SESSION_URI_PREFIX)) throw new ResourceNotFoundException('No consent session with this sessionUri exists');
      await releaseConsent(deps, sessionUri, async () => user, { operation: 'ConsentPortalConnect', requestId, portal: portal.consentPortalId });
    },

    /** Revokes at the provider where it can, then deletes the binding; undefined when there was nothing to disconnect. */
    async disconnect(portal: ConsentPortalRecord, user: UserRef, provider: string): Promise<RevocationOutcome | undefined> {
      const found = await resolve(portal, provider);
      return found && revokeConnection(deps, found.workload, found.record, user);
    },
  };
}

/**
 * Disconnect, wherever a user's connection is ended (the portal, the extension
 * RevokeUserConnection): revokes at the provider where it can, then deletes the binding whatever
 * the provider said; undefined when this user has no binding for this workload and provider.
 */
export async function revokeConnection(
  deps: RevocationDependencies & { vault: TokenVault },
  workload: WorkloadIdentityRecord,
  record: CredentialProviderRecord,
  user: UserRef,
): Promise<RevocationOutcome | undefined> {
  let binding = await bindingOf(deps.vault, workload, record, user);
  if (!binding) return undefined;
  const outcome = await revokeAtProvider(record, await deps.vault.open(binding), deps);
  // A refresh may rewrite the binding meanwhile (a new version): delete whatever is there now.
  for (let round = 0; binding && round < 3; round++) {
    await deps.vault.discard(binding);
    binding = await bindingOf(deps.vault, workload, record, user);
  }
  return outcome;
}
