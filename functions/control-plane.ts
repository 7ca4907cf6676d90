import { withInvocationDeadline } from '../lib/aws/deadline.js';
import { apiHandler, lateAnswer, type OperationTable } from '../lib/http/api-handler.js';
import {
  apiKeyProviderService as apiKeys,
  oauth2ProviderService as oauth2,
  resourceTagService as tags,
  tokenVaultService as vault,
  workloadIdentityService as identities,
  consentPortalService as portals,
  callerSettings,
} from '../lib/wiring.js';

/** Control plane: workload identities, credential providers, consent portals, the token vault's settings, and tags. */
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

  CreateOauth2CredentialProvider: (input, caller) => oauth2().create(input, caller),
  GetOauth2CredentialProvider: (input, caller) => oauth2().get(input, caller),
  UpdateOauth2CredentialProvider: (input, caller) => oauth2().update(input, caller),
  DeleteOauth2CredentialProvider: (input) => oauth2().delete(input),
  ListOauth2CredentialProviders: (input, caller) => oauth2().list(input, caller),

  CreateConsentPortal: (input, caller) => portals().create(input, caller),
  GetConsentPortal: (input, caller) => portals().get(input, caller),
  UpdateConsentPortal: (input, caller) => portals().update(input, caller),
  DeleteConsentPortal: (input) => portals().delete(input),
  ListConsentPortals: (input, caller) => portals().list(input, caller),

  GetTokenVault: (input) => vault().get(input),
  SetTokenVaultCMK: (input, caller) => vault().set(input, caller),

  TagResource: (input, caller) => tags().tag(input, caller),
  UntagResource: (input, caller) => tags().untag(input, caller),
  ListTagsForResource: (input, caller) => tags().list(input, caller),
} satisfies OperationTable;

// Answers with an AgentCore error before the function's timeout, whatever stalls.
export const handler = withInvocationDeadline(apiHandler(operations, callerSettings), lateAnswer);
