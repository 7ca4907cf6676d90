import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { config } from '../config.js';

/** Where a call runs and for whom: enough to build ARNs and audit records. */
export interface CallerContext {
  requestId: string;
  partition: string;
  region: string;
  accountId: string;
  /** The IAM principal that signed the call, when API Gateway checked a signature. */
  principalArn?: string;
  /** Where browsers reach this deployment (for the OAuth2 callback URL). */
  publicBaseUrl: string;
  /** Epoch ms by which the function must have answered (Lambda's remaining time); work that waits or calls out budgets from it. */
  deadline?: number;
}

/**
 * The deployment's public base URL: configured (custom domains), else the API's own domain as
 * API Gateway reports it. Never the Host header: a caller chooses that, and the callback URL
 * built from it goes to the authorization server as redirect_uri and into authorization URLs a
 * user is sent to. Offline, the request context carries a placeholder domain, so `npm start`
 * and the test stack set PUBLIC_BASE_URL themselves (infra/local/stack.ts).
 */
export function publicBaseUrl(event: APIGatewayProxyEventV2): string {
  if (config.publicBaseUrl) return config.publicBaseUrl.replace(/\/$/, '');
  return `${process.env.IS_OFFLINE ? 'http' : 'https'}://${event.requestContext?.domainName}`;
}

/**
 * The account and partition come from the function's own ARN, so a deployment needs no
 * account-specific configuration; offline, where that ARN is synthetic, from ACCOUNT_ID.
 */
export function callerContext(event: APIGatewayProxyEventV2, context: Context, requestId: string): CallerContext {
  const arn = /^arn:([^:]+):lambda:([^:]+):(\d{12}):/.exec(context.invokedFunctionArn ?? '');
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam;
  return {
    requestId,
    partition: arn?.[1] ?? partitionOf(config.region),
    region: arn?.[2] ?? config.region,
    accountId: config.accountId ?? arn?.[3] ?? '000000000000',
    principalArn: iam?.userArn,
    publicBaseUrl: publicBaseUrl(event),
    ...(typeof context.getRemainingTimeInMillis === 'function' ? { deadline: Date.now() + context.getRemainingTimeInMillis() } : {}),
  };
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
