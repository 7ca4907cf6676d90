import { dynamoDocumentClient, secretsManagerClient } from './aws/clients.js';
import { config } from './config.js';
import { DynamoDbCredentialProviderStore } from './credential-providers/dynamodb-store.js';
import { SecretsManagerSecretStore } from './secrets/secrets-manager-store.js';

/** Built on first use, then kept for the container's life (caches survive across invocations). */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/** The pieces both composition roots (wiring.ts, wiring-maintenance.ts) build. */
export const providerStore = /* @__PURE__ */ once(() => new DynamoDbCredentialProviderStore(dynamoDocumentClient(), config.credentialProvidersTable));
export const secretStore = /* @__PURE__ */ once(() => new SecretsManagerSecretStore(secretsManagerClient(), config.serviceKmsKeyId));
