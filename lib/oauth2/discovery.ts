import { ValidationException } from '../errors.js';
import { logger } from '../logger.js';
import type { AddressPolicy } from '../outbound/address-policy.js';
import { MAX_RESPONSE_BYTES, OutboundError, outboundJson } from '../outbound/http-client.js';
import { requireUrl } from '../outbound/endpoint-url.js';
import type { AuthorizationServer } from './vendor-types.js';

/** A discovery document is fetched while the caller waits for CreateOauth2CredentialProvider. */
export const DISCOVERY_TIMEOUT_MS = 5_000;

/** Where an issuer's metadata may be published: OpenID Connect Discovery 1.0 §4, RFC 8414 §3. */
function discoveryLocations(issuer: string): string[] {
  const base = issuer.replace(/\/$/, '');
  let rfc8414: string[] = [];
  try {
    const url = new URL(issuer);
    rfc8414 = [`${url.origin}/.well-known/oauth-authorization-server${url.pathname.replace(/\/$/, '')}`, `${url.origin}/.well-known/openid-configuration${url.pathname.replace(/\/$/, '')}`];
  } catch {
    // an issuer that is no URL matches nothing
  }
  return [`${base}/.well-known/openid-configuration`, `${base}/.well-known/oauth-authorization-server`, ...rfc8414];
}

/**
 * Reads an authorization server's metadata (OpenID Connect discovery or RFC 8414) at provider
 * creation, so a bad URL is refused then rather than at the first vend. Whatever goes wrong
 * fetching it is a ValidationException naming the field, not a server error: the caller chose
 * the URL, the provider is not created, and an SDK retrying a 5xx would only wait the deadline
 * again. The message says which kind of failure, never what the server sent nor whether an
 * address was refused by policy rather than unreachable (that would map the private network).
 */
export async function discover(discoveryUrl: string, field: string, options: { policy?: AddressPolicy; timeoutMs?: number } = {}): Promise<AuthorizationServer> {
  requireUrl(discoveryUrl, field);
  let metadata: Record<string, unknown>;
  try {
    metadata = await outboundJson(discoveryUrl, { timeoutMs: options.timeoutMs ?? DISCOVERY_TIMEOUT_MS, maxBytes: MAX_RESPONSE_BYTES, policy: options.policy });
  } catch (error) {
    const failure = error instanceof OutboundError ? error : new OutboundError('unreachable', 'the request could not be made');
    logger.info('discovery document not fetched', { host: new URL(discoveryUrl).host, failure: failure.failure, reason: failure.reason });
    throw ValidationException.field(field, discoveryFailure(failure, options.timeoutMs ?? DISCOVERY_TIMEOUT_MS));
  }
  const text = (name: string) => (typeof metadata[name] === 'string' ? (metadata[name] as string) : undefined);
  const issuer = text('issuer');
  if (!issuer) throw ValidationException.field(field, 'returned a document without an issuer');
  if (!discoveryLocations(issuer).includes(discoveryUrl)) throw ValidationException.field(field, 'returned an issuer that does not match the URL it was fetched from');
  return {
    issuer,
    authorizationEndpoint: requireUrl(text('authorization_endpoint'), `${field} (authorization_endpoint)`),
    tokenEndpoint: requireUrl(text('token_endpoint'), `${field} (token_endpoint)`),
    responseTypes: Array.isArray(metadata.response_types_supported) ? (metadata.response_types_supported as string[]) : undefined,
    // A document lists every method its server has; the model's output allows these two only (1 or 2 items).
    tokenEndpointAuthMethods: [[metadata.token_endpoint_auth_methods_supported].flat().filter((m): m is string => m === 'client_secret_basic' || m === 'client_secret_post')].find((m) => m.length),
  };
}

function discoveryFailure(failure: OutboundError, timeoutMs: number): string {
  if (failure.failure === 'unreachable') return 'could not be fetched: the server cannot be reached from this deployment';
  if (failure.failure === 'timeout') return `could not be fetched: no complete answer within ${timeoutMs / 1000} s`;
  if (/larger/.test(failure.reason)) return `could not be fetched: the document is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB`;
  if (/redirect/.test(failure.reason)) return 'could not be fetched: it answered with a redirect, which is not followed';
  return 'could not be fetched as a JSON discovery document';
}
