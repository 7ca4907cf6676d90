import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { withInvocationDeadline } from '../lib/aws/deadline.js';
import { logger } from '../lib/logger.js';
import type { SecretsManagerEvent } from '../lib/rotation/rotation-events.js';
import { secretRotation } from '../lib/wiring-maintenance.js';

/** EventBridge: a Secrets Manager secret changed; invalidate what every container has cached of it. */
const rotation = middy<SecretsManagerEvent, { invalidated: number }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) => secretRotation()(event));

// A failure Lambda retries (asynchronous invocation) rather than a timeout it cannot tell apart.
export const handler = withInvocationDeadline(rotation, () => {
  throw new Error('the rotation event could not be processed before the function deadline');
});
