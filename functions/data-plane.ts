import { apiHandler, type OperationTable } from '../lib/http/api-handler.js';
import { getResourceApiKey, workloadAccessTokenService as wats } from '../lib/wiring.js';

/** Data plane: workload access tokens, and the credentials they are traded for. */
export const operations = {
  GetWorkloadAccessToken: (input, caller) => wats().forWorkload(input, caller),
  GetWorkloadAccessTokenForUserId: (input, caller) => wats().forUserId(input, caller),
  GetWorkloadAccessTokenForJWT: (input, caller) => wats().forJwt(input, caller),
  GetResourceApiKey: (input, caller) => getResourceApiKey()(input, caller),
} satisfies OperationTable;

export const handler = apiHandler(operations);
