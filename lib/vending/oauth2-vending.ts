import { clientFor } from '../credential-providers/oauth2-providers.js';
import type { ProviderSecrets } from '../credential-providers/provider-secrets.js';
import type { Output } from '../contract/types.js';
import type { CredentialProviderRecord } from '../credential-providers/store.js';
import { ResourceNotFoundException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import type { AssertionSigner } from '../oauth2/client-assertion.js';
import { SigningKeyUnusable } from '../oauth2/kms-signer.js';
import type { ConsentSecrets } from '../oauth2/consent.js';
import type { SessionStore } from '../oauth2/sessions.js';
import type { TokenVault } from '../token-vault/vault.js';
import type { WorkloadAccessTokens } from '../workload-access-tokens/workload-access-token.js';
import type { VendingLookup } from './lookup.js';
import { machineFlows } from './machine-flow.js';
import type { MachineTokenCacheLimits } from './machine-token-cache.js';
import { refresher } from './refresh.js';
import { consentStarter } from './start-consent.js';
import type { TokenRequest } from './token-request.js';
import { userFederation } from './user-federation.js';
import { audited, liveProvider } from './vend.js';

export interface OAuth2VendingDependencies {
  tokens: WorkloadAccessTokens;
  lookup: VendingLookup;
  /** The registry without any freshness window, for checks that must see a deletion at once. */
  registry: VendingLookup;
  secrets: ProviderSecrets;
  /** KMS Sign for PRIVATE_KEY_JWT providers' client assertions. */
  sign: AssertionSigner;
  vault: TokenVault;
  sessions: SessionStore;
  consent: ConsentSecrets;
  settings: { consentSessionSeconds: number; machineTokenCache?: MachineTokenCacheLimits };
  now?: () => number;
}

/** Without a deadline from Lambda (direct calls), as much as a 15-second function leaves. */
const DEFAULT_BUDGET_MS = 14_000;

/**
 * GetResourceOauth2Token for all three flows. Warm, every flow is one DynamoDB round trip
 * (workload, provider and, for a user, the vault binding in one BatchGetItem) and no KMS call;
 * a request to the token endpoint of a PRIVATE_KEY_JWT provider adds one KMS Sign.
 */
export function oauth2Vending(deps: OAuth2VendingDependencies) {
  const now = deps.now ?? Date.now;
  async function clientSecret(record: CredentialProviderRecord): Promise<string> {
    const secret = await deps.secrets.credential(record);
    if (typeof secret !== 'string') throw new ResourceNotFoundException(`The client secret of credential provider ${record.name} cannot be read from its secret`);
    return secret;
  }
  // A key disabled, deleted or closed to the service since the provider was created: like an unreadable secret.
  const signFor = (record: CredentialProviderRecord): AssertionSigner => (...args) =>
    deps.sign(...args).catch((error: unknown) => {
      if (error instanceof SigningKeyUnusable) throw new ResourceNotFoundException(`The KMS signing key of credential provider ${record.name} cannot be used (${error.problem})`);
      throw error;
    });
  const client = (record: CredentialProviderRecord) => clientFor(record, { clientSecret, sign: signFor(record), now });
  const machine = machineFlows({ client, limits: deps.settings.machineTokenCache, now });
  const forUser = userFederation({
    lookup: deps.lookup,
    vault: deps.vault,
    sessions: deps.sessions,
    refresh: refresher({ vault: deps.vault, client, now }),
    startConsent: consentStarter({ sessions: deps.sessions, consent: deps.consent, registry: deps.registry, settings: deps.settings, now }),
    now,
  });

  return (input: TokenRequest, caller: CallerContext) => {
    const deadline = caller.deadline ?? now() + DEFAULT_BUDGET_MS;
    const vend = {
      operation: `GetResourceOauth2Token/${input.oauth2Flow}`,
      provider: input.resourceCredentialProviderName,
      caller,
      refusalOf: (result: Output<'GetResourceOauth2Token'>) => ('accessToken' in result ? undefined : `consent ${result.sessionStatus}`),
    };
    return audited<Output<'GetResourceOauth2Token'>>(vend, deps.tokens, input.workloadIdentityToken, async (principal) => {
      if (input.oauth2Flow === 'USER_FEDERATION') return forUser(principal, input, caller, deadline);
      const { provider } = await liveProvider(deps.lookup, principal, { kind: 'oauth2', name: input.resourceCredentialProviderName });
      return machine(principal, provider, input, deadline);
    });
  };
}
