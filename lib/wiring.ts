import { dynamoDocumentClient, iamClient, kmsClient, secretsManagerClient } from './aws/clients.js';
import { IamIdentityPolicies } from './authorization/identity-policies.js';
import { DynamoDbSharedPolicies } from './authorization/shared-policies.js';
import { emulatorKeyResolver, rootArn } from './authorization/principal.js';
import type { EdgeAuthorization } from './http/authorization.js';
import { isArnRefusal, parseResourceArn } from './arns.js';
import { config } from './config.js';
import { apiKeyProviderOperations } from './credential-providers/api-key-providers.js';
import { oauth2ProviderOperations } from './credential-providers/oauth2-providers.js';
import { ProviderSecrets } from './credential-providers/provider-secrets.js';
import type { CallerSettings } from './http/caller-context.js';
import { SecretsManagerServiceKeys } from './keys/secrets-manager-keys.js';
import { addressPolicyFor, outboundJson, useDeploymentPolicy } from './outbound/http-client.js';
import { cachedDocuments, PromiseCache } from './cache/promise-cache.js';
import { oauth2Callback } from './oauth2/callback.js';
import { ConsentSecrets } from './oauth2/consent.js';
import { consentPortalOperations } from './consent-portals/consent-portals.js';
import { DynamoDbConsentPortalStore } from './consent-portals/dynamodb-store.js';
import { trustedIssuers } from './consent-portals/trusted-issuers.js';
import { portalConnections } from './consent-portals/connections.js';
import { PortalCookies } from './consent-portals/portal-cookies.js';
import { portalPages } from './consent-portals/portal-pages.js';
import { portalSignIn } from './consent-portals/sign-in.js';
import { consentStarter } from './vending/start-consent.js';
import { DynamoDbSessionStore } from './oauth2/dynamodb-sessions.js';
import { KmsSigningKeys } from './oauth2/kms-signer.js';
import { PageTokens } from './pagination.js';
import { resourceTagOperations } from './resource-tags/resource-tags.js';
import { taggableKinds } from './resource-tags/taggable-kinds.js';
import { apiKeyVending } from './vending/api-key-vending.js';
import { CachedVendingLookup } from './vending/cached-lookup.js';
import { completeResourceTokenAuth } from './vending/complete-auth.js';
import { DynamoDbVendingLookup } from './vending/dynamodb-lookup.js';
import { legacyProviderRef, providerRef } from './oauth2/bindings.js';
import { workloadIncarnation } from './token-vault/store.js';
import { oauth2Vending } from './vending/oauth2-vending.js';
import { DynamoDbTokenVaultStore } from './token-vault/dynamodb-store.js';
import { EnvelopeCipher } from './token-vault/envelope.js';
import { KmsKeyService } from './token-vault/kms-key-service.js';
import { TokenVault } from './token-vault/vault.js';
import { tokenVaultSettings } from './token-vault/vault-settings.js';
import { userConnectionOperations } from './user-connections/user-connections.js';
import { workloadAccessTokenOperations } from './workload-access-tokens/operations.js';
import { parseIssuers, UserTokenVerifier } from './workload-access-tokens/user-tokens.js';
import { WorkloadAccessTokens, watIssuer } from './workload-access-tokens/workload-access-token.js';
import { once, providerStore, secretStore } from './wiring-shared.js';
import { DynamoDbWorkloadIdentityStore } from './workload-identities/dynamodb-store.js';
import { workloadIdentityOperations } from './workload-identities/workload-identities.js';

/**
 * The composition root of the API functions and the OAuth2 callback: the one place that picks the
 * AWS adapters for the domain's ports and hands every module its settings from lib/config.ts.
 * Each piece is built on first use and kept for the life of the container, so caches survive
 * across invocations and a function builds only what its operations touch. The pure marks let
 * the bundler drop, per function, every piece (and its SDK clients) that function never uses;
 * the maintenance functions have their own root (wiring-maintenance.ts), as modules with
 * top-level code (the vendor catalogue, the JWT library) stay in any bundle that imports them.
 */
// The outbound policy of every call not handed one (URL checks, discovery, token requests): the only setting a module outside the root keeps.
useDeploymentPolicy(() => config.outboundPolicy);

const keys = /* @__PURE__ */ once(
  () => new SecretsManagerServiceKeys(secretsManagerClient(), { secretId: config.serviceKeysSecretId, maxAgeSeconds: config.secretCacheMaxAgeSeconds }),
);
const pageTokens = /* @__PURE__ */ once(() => new PageTokens(keys()));
const identityStore = /* @__PURE__ */ once(() => new DynamoDbWorkloadIdentityStore(dynamoDocumentClient(), config.workloadIdentitiesTable));
const providerSecrets = /* @__PURE__ */ once(
  () =>
    new ProviderSecrets(secretStore(), {
      managedSecretPrefix: config.managedSecretPrefix,
      maxAgeSeconds: config.secretCacheMaxAgeSeconds,
      reservedSecretNames: [config.serviceKeysSecretId],
    }),
);
const tokens = /* @__PURE__ */ once(() => new WorkloadAccessTokens(keys(), { lifetimeSeconds: config.workloadAccessTokenLifetimeSeconds }));
const userTokens = /* @__PURE__ */ once(() => new UserTokenVerifier(parseIssuers(config.userTokenIssuers), { policy: () => addressPolicyFor(config.outboundPolicy) }));
const keyService = /* @__PURE__ */ once(() => new KmsKeyService(kmsClient()));
/** Customers' KMS keys that sign PRIVATE_KEY_JWT client assertions. */
const signingKeys = /* @__PURE__ */ once(() => new KmsSigningKeys(kmsClient()));
const vaultStore = /* @__PURE__ */ once(() => new DynamoDbTokenVaultStore(dynamoDocumentClient(), config.tokenVaultTable));
const sessionStore = /* @__PURE__ */ once(() => new DynamoDbSessionStore(dynamoDocumentClient(), config.oauth2SessionsTable));
const consent = /* @__PURE__ */ once(() => new ConsentSecrets(keys()));
const registryTables = () => ({ workloadIdentities: config.workloadIdentitiesTable, credentialProviders: config.credentialProvidersTable, tokenVault: config.tokenVaultTable });
/** The registry as it is now, strongly consistent (checks after writes). */
const registry = /* @__PURE__ */ once(() => new DynamoDbVendingLookup(dynamoDocumentClient(), registryTables()));
/** What vends read: eventually consistent unless configured otherwise, with the optional freshness window. */
const lookup = /* @__PURE__ */ once(
  () => new CachedVendingLookup(new DynamoDbVendingLookup(dynamoDocumentClient(), registryTables(), () => config.vendConsistentReads), () => config.vendCacheMilliseconds),
);
/** New vault entries are sealed with the customer's key once one is set (SetTokenVaultCMK), else the service key. */
const vault = /* @__PURE__ */ once(
  () => new TokenVault(vaultStore(), new EnvelopeCipher(keyService()), async () => (await vaultStore().settings())?.kmsKeyArn ?? config.serviceKmsKeyId),
);

/** Per container, then shared in the credential providers table (partition `iam-principal`), then IAM. */
const identityPolicies = /* @__PURE__ */ once(() => {
  const maxAgeMs = config.authorizationPolicyCacheSeconds * 1000;
  const shared = new DynamoDbSharedPolicies(dynamoDocumentClient(), config.credentialProvidersTable, config.authorizationPolicyCacheSeconds + 86_400);
  return new IamIdentityPolicies(iamClient(), { maxAgeMs, shared });
});
/** Offline only: the emulator names the owner of an access key; one it did not issue is the account's root. */
const accessKeyOwner = /* @__PURE__ */ once(() => {
  const resolve = emulatorKeyResolver(config.emulatorEndpoint ?? 'http://127.0.0.1:5000', config.region, () => rootArn('aws', config.accountId ?? '000000000000'));
  const known = new PromiseCache<string>({ ttlMs: 60_000, maxEntries: 1000 });
  return (accessKeyId: string): Promise<string> => known.get(accessKeyId, () => resolve(accessKeyId));
});
const edgeAuthorization = /* @__PURE__ */ once(
  (): EdgeAuthorization => ({
    mode: config.authorization,
    strict: config.authorizationStrict,
    offline: config.offline,
    resolveAccessKey: (accessKeyId) => accessKeyOwner()(accessKeyId),
    policiesOf: (holder) => identityPolicies().policiesOf(holder),
    vendingPrincipal: (token, caller) => tokens().verify(watIssuer(caller), token),
    resourceTags: (arn, caller) => resourceTagsOf(arn, caller),
  }),
);

/** What aws:ResourceTag/* is for a resource: its record's tags; consent portals' are not read here (unknown). */
const tagReaders = /* @__PURE__ */ once(() => taggableKinds({ identities: identityStore(), providers: providerStore(), secrets: providerSecrets() }));
async function resourceTagsOf(arn: string, caller: CallerSettingsWhere): Promise<Record<string, string> | undefined> {
  const ref = parseResourceArn(arn, caller);
  // A directory or a vault (Create and List calls): a resource without tags.
  if (isArnRefusal(ref)) return {};
  const kind = tagReaders()[ref.kind];
  return kind ? ((await kind.read(ref.name))?.tags ?? {}) : undefined;
}

type CallerSettingsWhere = { partition: string; region: string; accountId: string };

/** Read per request: cheap getters, and tests switch the environment between calls. */
export function callerSettings(): CallerSettings {
  const settings = { region: config.region, accountId: config.accountId, publicBaseUrl: config.publicBaseUrl, offline: config.offline };
  // Always handed in: under route-only it only enforces authorizationStrict's signature on vends.
  return { ...settings, authorization: edgeAuthorization() };
}

export const workloadIdentityService = /* @__PURE__ */ once(() =>
  workloadIdentityOperations({
    store: identityStore(),
    pageTokens: pageTokens(),
    onDelete: async (record) => {
      const incarnation = workloadIncarnation(record.name, record.createdTime);
      await Promise.all([vaultStore().deleteByWorkload(incarnation), sessionStore().deleteByWorkload(incarnation)]);
    },
  }),
);

export const apiKeyProviderService = /* @__PURE__ */ once(() => apiKeyProviderOperations({ store: providerStore(), secrets: providerSecrets(), pageTokens: pageTokens() }));

export const workloadAccessTokenService = /* @__PURE__ */ once(() =>
  workloadAccessTokenOperations({ identities: identityStore(), tokens: tokens(), userTokens: userTokens() }),
);

export const getResourceApiKey = /* @__PURE__ */ once(() =>
  apiKeyVending({ tokens: tokens(), secrets: providerSecrets(), lookup: lookup() }),
);

export const oauth2ProviderService = /* @__PURE__ */ once(() =>
  oauth2ProviderOperations({
    store: providerStore(),
    secrets: providerSecrets(),
    pageTokens: pageTokens(),
    signingKeys: signingKeys(),
    // The incarnation's entries, and those keyed by name alone from before incarnations.
    onDelete: async (name, createdTime) => {
      const refs = [providerRef(name, createdTime), legacyProviderRef(name)];
      await Promise.all(refs.flatMap((ref) => [vaultStore().deleteByProvider(ref), sessionStore().deleteByProvider(ref)]));
    },
  }),
);

export const resourceTagService = /* @__PURE__ */ once(() =>
  resourceTagOperations({ kinds: taggableKinds({ identities: identityStore(), providers: providerStore(), secrets: providerSecrets(), portals: consentPortalService() }) }),
);

export const tokenVaultService = /* @__PURE__ */ once(() => tokenVaultSettings({ store: vaultStore(), keys: keyService() }));

export const getResourceOauth2Token = /* @__PURE__ */ once(() =>
  oauth2Vending({
    tokens: tokens(),
    lookup: lookup(),
    registry: registry(),
    secrets: providerSecrets(),
    sign: signingKeys().sign,
    vault: vault(),
    sessions: sessionStore(),
    consent: consent(),
    settings: { consentSessionSeconds: config.consentSessionSeconds },
  }),
);

export const completeTokenAuth = /* @__PURE__ */ once(() => completeResourceTokenAuth({ sessions: sessionStore(), vault: vault(), userTokens: userTokens(), registry: registry() }));

export const oauth2CallbackService = /* @__PURE__ */ once(() =>
  oauth2Callback({ sessions: sessionStore(), consent: consent(), registry: registry(), secrets: providerSecrets(), sign: signingKeys().sign, vault: vault() }),
);

/** Discovery documents a portal check reads, within the deployment's outbound rules. */
const portalFetchJson = (url: string) => outboundJson(url, { timeoutMs: 5_000, policy: addressPolicyFor(config.outboundPolicy) });
const trustsIssuer = /* @__PURE__ */ once(() => trustedIssuers(parseIssuers(config.userTokenIssuers), portalFetchJson));
const portalStore = /* @__PURE__ */ once(() => new DynamoDbConsentPortalStore(dynamoDocumentClient(), config.consentPortalsTable));
const idpChecks = () => ({ providers: providerStore(), fetchJson: portalFetchJson, isTrustedIssuer: (issuer: string) => trustsIssuer()(issuer) });
/**
 * The pages read the same discovery documents at sign-in, callback and disconnect: kept 5 minutes
 * per container. Create and Update of a portal read them fresh, so an operator's check is current.
 */
const portalPageDocuments = /* @__PURE__ */ once(() => cachedDocuments(portalFetchJson, { ttlMs: 300_000, maxEntries: 100 }));

export const consentPortalService = /* @__PURE__ */ once(() =>
  consentPortalOperations({ store: portalStore(), identities: identityStore(), pageTokens: pageTokens(), ...idpChecks() }),
);

/** The portal pages (functions/consent-portal.ts): sign-in, the Connections page, connect and disconnect. */
export const consentPortalPages = /* @__PURE__ */ once(() =>
  portalPages({
    store: portalStore(),
    idp: { ...idpChecks(), fetchJson: portalPageDocuments() },
    cookies: new PortalCookies(keys()),
    signIn: portalSignIn({ secrets: providerSecrets(), sign: signingKeys().sign, policy: () => addressPolicyFor(config.outboundPolicy) }),
    connections: portalConnections({
      identities: identityStore(),
      providers: providerStore(),
      vault: vault(),
      sessions: sessionStore(),
      registry: registry(),
      secrets: providerSecrets(),
      sign: signingKeys().sign,
      fetchJson: portalPageDocuments(),
      startConsent: consentStarter({ sessions: sessionStore(), consent: consent(), registry: registry(), settings: { consentSessionSeconds: config.consentSessionSeconds }, now: Date.now }),
    }),
  }),
);

/** The extension operations behind the console's Connections of a user (functions/user-connections.ts). */
export const userConnectionService = /* @__PURE__ */ once(() =>
  userConnectionOperations({
    identities: identityStore(),
    providers: providerStore(),
    vault: vault(),
    pageTokens: pageTokens(),
    secrets: providerSecrets(),
    sign: signingKeys().sign,
    fetchJson: portalFetchJson,
  }),
);
