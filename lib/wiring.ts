import { dynamoDocumentClient, secretsManagerClient } from './aws/clients.js';
import { config } from './config.js';
import { apiKeyProviderOperations } from './credential-providers/api-key-providers.js';
import { DynamoDbCredentialProviderStore } from './credential-providers/dynamodb-store.js';
import { ProviderSecrets } from './credential-providers/provider-secrets.js';
import { SecretsManagerServiceKeys } from './keys/secrets-manager-keys.js';
import { PageTokens } from './pagination.js';
import { rotationHandler } from './rotation/rotation.js';
import { SecretsManagerSecretStore } from './secrets/secrets-manager-store.js';
import { apiKeyVending } from './vending/api-key-vending.js';
import { DynamoDbVendingLookup } from './vending/dynamodb-lookup.js';
import { workloadAccessTokenOperations } from './workload-access-tokens/operations.js';
import { parseIssuers, UserTokenVerifier } from './workload-access-tokens/user-tokens.js';
import { WorkloadAccessTokens } from './workload-access-tokens/workload-access-token.js';
import { DynamoDbWorkloadIdentityStore } from './workload-identities/dynamodb-store.js';
import { workloadIdentityOperations } from './workload-identities/workload-identities.js';

/**
 * The composition root: the one place that picks the AWS adapters for the domain's ports.
 * Each piece is built on first use and kept for the life of the container, so caches survive
 * across invocations and a function builds only what its operations touch.
 */
function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

const keys = once(() => new SecretsManagerServiceKeys());
const pageTokens = once(() => new PageTokens(keys()));
const identityStore = once(() => new DynamoDbWorkloadIdentityStore(dynamoDocumentClient(), config.workloadIdentitiesTable));
const providerStore = once(() => new DynamoDbCredentialProviderStore(dynamoDocumentClient(), config.credentialProvidersTable));
const secretStore = once(() => new SecretsManagerSecretStore(secretsManagerClient(), config.serviceKmsKeyId));
const providerSecrets = once(
  () => new ProviderSecrets(secretStore(), { managedSecretPrefix: config.managedSecretPrefix, maxAgeSeconds: config.secretCacheMaxAgeSeconds }),
);
const tokens = once(() => new WorkloadAccessTokens(keys(), { lifetimeSeconds: config.workloadAccessTokenLifetimeSeconds }));

export const workloadIdentityService = once(() => workloadIdentityOperations({ store: identityStore(), pageTokens: pageTokens() }));

export const apiKeyProviderService = once(() => apiKeyProviderOperations({ store: providerStore(), secrets: providerSecrets(), pageTokens: pageTokens() }));

export const workloadAccessTokenService = once(() =>
  workloadAccessTokenOperations({ identities: identityStore(), tokens: tokens(), userTokens: new UserTokenVerifier(parseIssuers(config.userTokenIssuers)) }),
);

export const getResourceApiKey = once(() =>
  apiKeyVending({
    tokens: tokens(),
    secrets: providerSecrets(),
    lookup: new DynamoDbVendingLookup(dynamoDocumentClient(), {
      workloadIdentities: config.workloadIdentitiesTable,
      credentialProviders: config.credentialProvidersTable,
    }),
  }),
);

export const secretRotation = once(() => rotationHandler({ providers: providerStore(), secrets: secretStore() }));
