import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../lib/logger.js';
import type { SecretsManagerEvent } from '../lib/rotation/rotation-events.js';
import { secretRotation } from '../lib/wiring.js';

/** EventBridge: a Secrets Manager secret changed; invalidate what every container has cached of it. */
export const handler = middy<SecretsManagerEvent, { invalidated: number }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) => secretRotation()(event));
