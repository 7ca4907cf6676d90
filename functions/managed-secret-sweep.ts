import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../lib/logger.js';
import type { SweepResult } from '../lib/credential-providers/managed-secret-sweep.js';
import { managedSecretSweep } from '../lib/wiring-maintenance.js';

/** Scheduled (hourly): removes managed secrets no provider record names, an hour after their creation. */
export const handler = middy<unknown, SweepResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((_event, context) => managedSecretSweep()({ timeLeftMs: () => context.getRemainingTimeInMillis() }));
