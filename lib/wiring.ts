import { dynamoDocumentClient } from './aws/clients.js';
import { config } from './config.js';
import { SecretsManagerServiceKeys } from './keys/secrets-manager-keys.js';
import type { ServiceKeys } from './keys/service-keys.js';
import { PageTokens } from './pagination.js';
import { DynamoDbWorkloadIdentityStore } from './workload-identities/dynamodb-store.js';
import { workloadIdentityOperations } from './workload-identities/workload-identities.js';

/**
 * The composition root: the one place that picks the AWS adapters for the domain's ports.
 * Everything is built on first use and kept for the life of the container.
 */
let serviceKeys: ServiceKeys | undefined;
export function keys(): ServiceKeys {
  serviceKeys ??= new SecretsManagerServiceKeys();
  return serviceKeys;
}

let workloadIdentities: ReturnType<typeof workloadIdentityOperations> | undefined;
export function workloadIdentityService() {
  workloadIdentities ??= workloadIdentityOperations({
    store: new DynamoDbWorkloadIdentityStore(dynamoDocumentClient(), config.workloadIdentitiesTable),
    pageTokens: new PageTokens(keys()),
  });
  return workloadIdentities;
}
