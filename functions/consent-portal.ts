import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { withInvocationDeadline } from '../lib/aws/deadline.js';
import { pageHeaders, messagePage } from '../lib/consent-portals/pages.js';
import { requestCookies } from '../lib/consent-portals/portal-cookies.js';
import { callerContext } from '../lib/http/caller-context.js';
import { logger } from '../lib/logger.js';
import { callerSettings, consentPortalPages } from '../lib/wiring.js';

type Result = APIGatewayProxyStructuredResultV2;
const page = (statusCode: number, title: string, text: string): Result => ({ statusCode, headers: pageHeaders(), body: messagePage(title, text) });

/** A form body (application/x-www-form-urlencoded), at most 16 KiB; anything else reads as empty. */
function formOf(event: APIGatewayProxyEventV2): URLSearchParams {
  if (!event.body || event.body.length > 16_384) return new URLSearchParams();
  return new URLSearchParams(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body);
}

/** The public pages of consent portals, under /portals/{portalId}: what the route matched says which. */
const pages = middy<APIGatewayProxyEventV2, Result>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    try {
      const [method, path = ''] = (event.routeKey ?? '').split(' ');
      const action = /^\/portals\/\{portalId\}(?:\/(\w+))?$/.exec(path)?.[1] ?? '';
      const portalId = event.pathParameters?.portalId ?? '';
      if ((method !== 'GET' && method !== 'POST') || !/^[a-zA-Z0-9_-]{1,50}-[A-Za-z0-9]{10}$/.test(portalId)) return page(404, 'Not found', 'There is no consent portal at this address.');
      const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      return await consentPortalPages()({
        method,
        action,
        portalId,
        query: event.queryStringParameters ?? {},
        form: method === 'POST' ? formOf(event) : new URLSearchParams(),
        cookies: requestCookies(event.cookies, headers.cookie),
        origin: headers.origin,
        caller: callerContext(event, context, context.awsRequestId, callerSettings()),
      });
    } catch (error) {
      logger.error('consent portal page failed', { name: (error as Error).name, message: (error as Error).message });
      return page(500, 'Something went wrong', 'The page could not be shown. Try again in a moment.');
    }
  });

// A browser waiting on a stalled dependency gets a page before the function's timeout.
export const handler = withInvocationDeadline(pages, () => {
  logger.error('consent portal page failed', { name: 'DeadlineExceeded', message: 'no answer before the function deadline' });
  return page(503, 'Something went wrong', 'The page could not be shown in time. Try again in a moment.');
});
