import { apiHandler, type OperationTable } from '../lib/http/api-handler.js';
import { apiKeyProviderService as apiKeys, workloadIdentityService as identities } from '../lib/wiring.js';

/** Control plane: workload identities, credential providers and the token vault's settings. */
export const operations = {
  CreateWorkloadIdentity: (input, caller) => identities().create(input, caller),
  GetWorkloadIdentity: (input, caller) => identities().get(input, caller),
  UpdateWorkloadIdentity: (input, caller) => identities().update(input, caller),
  DeleteWorkloadIdentity: (input) => identities().delete(input),
  ListWorkloadIdentities: (input, caller) => identities().list(input, caller),

  CreateApiKeyCredentialProvider: (input, caller) => apiKeys().create(input, caller),
  GetApiKeyCredentialProvider: (input, caller) => apiKeys().get(input, caller),
  UpdateApiKeyCredentialProvider: (input, caller) => apiKeys().update(input, caller),
  DeleteApiKeyCredentialProvider: (input) => apiKeys().delete(input),
  ListApiKeyCredentialProviders: (input, caller) => apiKeys().list(input, caller),
} satisfies OperationTable;

export const handler = apiHandler(operations);
