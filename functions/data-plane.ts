import { withInvocationDeadline } from '../lib/aws/deadline.js';
import { apiHandler, lateAnswer, type OperationTable } from '../lib/http/api-handler.js';
import { callerSettings, completeTokenAuth, getResourceApiKey, getResourceOauth2Token, workloadAccessTokenService as wats } from '../lib/wiring.js';

/** Data plane: workload access tokens, and the credentials they are traded for. */
export const operations = {
  GetWorkloadAccessToken: (input, caller) => wats().forWorkload(input, caller),
  GetWorkloadAccessTokenForUserId: (input, caller) => wats().forUserId(input, caller),
  GetWorkloadAccessTokenForJWT: (input, caller) => wats().forJwt(input, caller),
  GetResourceApiKey: (input, caller) => getResourceApiKey()(input, caller),
  GetResourceOauth2Token: (input, caller) => getResourceOauth2Token()(input, caller),
  CompleteResourceTokenAuth: (input, caller) => completeTokenAuth()(input, caller),
} satisfies OperationTable;

// Answers with an AgentCore error before the function's timeout, whatever stalls.
export const handler = withInvocationDeadline(apiHandler(operations, callerSettings), lateAnswer);
