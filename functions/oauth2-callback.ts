import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../lib/logger.js';
import { oauth2CallbackService } from '../lib/wiring.js';

/** The public 3-legged OAuth2 callback: a browser lands here; only the query string is read. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    try {
      return await oauth2CallbackService()(event.queryStringParameters ?? {}, context.awsRequestId);
    } catch (error) {
      logger.error('callback failed', { name: (error as Error).name, message: (error as Error).message });
      return { statusCode: 500, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: 'The authorization could not be completed. Start again from the application.' };
    }
  });
