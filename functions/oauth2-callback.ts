import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { withInvocationDeadline } from '../lib/aws/deadline.js';
import { logger } from '../lib/logger.js';
import { oauth2CallbackService } from '../lib/wiring.js';

const page = (statusCode: number, body: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  body,
});

/** The public 3-legged OAuth2 callback: a browser lands here; only the query string is read. */
const callback = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    try {
      return await oauth2CallbackService()(event.queryStringParameters ?? {}, context.awsRequestId);
    } catch (error) {
      logger.error('callback failed', { name: (error as Error).name, message: (error as Error).message });
      return page(500, 'The authorization could not be completed. Start again from the application.');
    }
  });

// A browser waiting on a stalled dependency gets a page before the function's timeout.
export const handler = withInvocationDeadline(callback, () => {
  logger.error('callback failed', { name: 'DeadlineExceeded', message: 'no answer before the function deadline' });
  return page(503, 'The authorization could not be completed in time. Start again from the application.');
});
