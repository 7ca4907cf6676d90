import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { authorizerPrincipal } from '../authorization/principal.js';
import type { EdgeAuthorization } from './authorization.js';

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

/** What the deployment says about where it runs; the composition root reads it from the configuration. */
export interface CallerSettings {
  /** The region when the function's ARN does not say (offline). */
  region: string;
  /** Offline only: deployed, the account comes from the function's own ARN. */
  accountId?: string;
  /** Configured public base URL (custom domains). */
  publicBaseUrl?: string;
  /** Serverless-offline: the API answers plain http. */
  offline: boolean;
  /** How the edge authorizes each call (lib/http/authorization.ts); absent: route-only. */
  authorization?: EdgeAuthorization;
}

/**
 * The deployment's public base URL: configured (custom domains), else the API's own domain as
 * API Gateway reports it. Never the Host header: a caller chooses that, and the callback URL
 * built from it goes to the authorization server as redirect_uri and into authorization URLs a
 * user is sent to. Offline, the request context carries a placeholder domain, so `npm start`
 * and the test stack set PUBLIC_BASE_URL themselves (infra/local/stack.ts).
 */
export function publicBaseUrl(event: APIGatewayProxyEventV2, settings: Pick<CallerSettings, 'publicBaseUrl' | 'offline'>): string {
  if (settings.publicBaseUrl) return settings.publicBaseUrl.replace(/\/$/, '');
  return `${settings.offline ? 'http' : 'https'}://${event.requestContext?.domainName}`;
}

/**
 * The account and partition come from the function's own ARN, so a deployment needs no
 * account-specific configuration; offline, where that ARN is synthetic, from ACCOUNT_ID.
 */
export function callerContext(event: APIGatewayProxyEventV2, context: Context, requestId: string, settings: CallerSettings): CallerContext {
  const arn = /^arn:([^:]+):lambda:([^:]+):(\d{12}):/.exec(context.invokedFunctionArn ?? '');
  return {
    requestId,
    partition: arn?.[1] ?? partitionOf(settings.region),
    region: arn?.[2] ?? settings.region,
    accountId: settings.accountId ?? arn?.[3] ?? '000000000000',
    principalArn: authorizerPrincipal(event),
    publicBaseUrl: publicBaseUrl(event, settings),
    ...(typeof context.getRemainingTimeInMillis === 'function' ? { deadline: Date.now() + context.getRemainingTimeInMillis() } : {}),
  };
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
