import { withInvocationDeadline } from '../lib/aws/deadline.js';
import { apiHandler, lateAnswer, type OperationTable } from '../lib/http/api-handler.js';
import { callerSettings, userConnectionService as connections } from '../lib/wiring.js';

/** Extension operations (`/extensions/`, not AgentCore's): a user's connections across workloads and providers, and revoking one. */
export const operations = {
  ListUserConnections: (input, caller) => connections().list(input, caller),
  RevokeUserConnection: (input, caller) => connections().revoke(input, caller),
} satisfies OperationTable;

// Answers with an AgentCore error before the function's timeout, whatever stalls.
export const handler = withInvocationDeadline(apiHandler(operations, callerSettings), lateAnswer);
