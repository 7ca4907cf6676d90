import { logger } from '../logger.js';
import { OutboundError, outboundRequest, type OutboundResponse } from '../outbound/http-client.js';
import type { AddressPolicy } from '../outbound/address-policy.js';
import { plausibleErrorCode, safeDescription } from '../outbound/redact.js';
import { CLIENT_ASSERTION_TYPE } from './client-assertion.js';
import { isTokenError } from './token-response.js';
import type { AuthorizationServer, ClientAuthentication, NormalizedToken, TokenError, Vendor } from './vendor-types.js';
import { tokenRequestHeadersOf } from './vendors.js';

/** How a client authenticates at the token endpoint: its secret, or an RFC 7523 assertion made afresh for each request. */
export type ClientCredentials =
  | { clientId: string; clientSecret: string; authentication: Exclude<ClientAuthentication, 'private_key_jwt'> }
  | { clientId: string; authentication: 'private_key_jwt'; assertion: () => Promise<string> };

/**
 * The deadline of one token request, headers and body included, when the caller gives none (the
 * callback's code exchange). A vend may make one token request and a few DynamoDB calls inside
 * the function's 15 s; 8 s leaves room to answer. Vends pass their own budget, taken from the
 * function's remaining time (lib/vending/refresh.ts).
 */
export const TOKEN_REQUEST_TIMEOUT_MS = 8_000;

/**
 * The largest token response accepted. What a 3-legged flow receives is sealed into one vault
 * binding (or a consent session), and a DynamoDB item holds at most 400 KB: 256 KiB of tokens
 * still fit once sealed, and real tokens are a few KiB.
 */
export const TOKEN_RESPONSE_MAX_BYTES = 256 * 1024;

/**
 * The error codes of a token request that produced nothing usable (see ./upstream-errors.ts for
 * what each becomes): `upstream_unreachable` nothing was processed (DNS, refused connection,
 * address refused by policy); `upstream_timeout` the deadline passed after the request may have
 * been sent (outcome unknown); `upstream_invalid_response` a 5xx without an OAuth error, a
 * malformed or non-JSON success, an oversized or truncated body, a redirect.
 */
export const UPSTREAM_UNREACHABLE = 'upstream_unreachable';
export const UPSTREAM_TIMEOUT = 'upstream_timeout';
export const UPSTREAM_INVALID_RESPONSE = 'upstream_invalid_response';

/** Grant members that carry a credential (RFC 6749, RFC 7523, RFC 8693). */
const CREDENTIAL_MEMBERS = ['code', 'code_verifier', 'refresh_token', 'assertion', 'client_assertion', 'subject_token', 'actor_token', 'password'];

export interface TokenRequestOptions {
  timeoutMs?: number;
  /** Tests only: a policy other than the deployment's. */
  policy?: AddressPolicy;
}

/**
 * One request to a token endpoint (RFC 6749 §3.2), whatever the grant. The answer goes through
 * the vendor's normalizer before anything reads it: vendors disagree on status codes, field
 * nesting and content types, and that is settled in the catalogue, not here. Every failure comes
 * back as a TokenError whose description holds nothing the request carried.
 */
export async function requestToken(
  vendor: Vendor,
  server: AuthorizationServer,
  client: ClientCredentials,
  grant: Record<string, string | string[] | undefined>,
  now: () => number = Date.now,
  options: TokenRequestOptions = {},
): Promise<NormalizedToken | TokenError> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(grant)) for (const value of [v ?? []].flat()) body.append(k, value);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  for (const [name, value] of Object.entries(tokenRequestHeadersOf(vendor))) headers[name.toLowerCase()] = value;
  const { secret, basic } = await authenticateClient(client, body, headers);
  // Everything this request carried that a server could echo back: never to be repeated.
  const sent = [secret, basic, ...CREDENTIAL_MEMBERS.flatMap((k) => [grant[k] ?? []].flat())];
  const host = hostOf(server.tokenEndpoint);

  let response: OutboundResponse;
  try {
    response = await outboundRequest({
      url: server.tokenEndpoint,
      method: 'POST',
      headers,
      body: body.toString(),
      timeoutMs: options.timeoutMs ?? TOKEN_REQUEST_TIMEOUT_MS,
      maxBytes: TOKEN_RESPONSE_MAX_BYTES,
      policy: options.policy,
    });
  } catch (error) {
    const failure = error instanceof OutboundError ? error : new OutboundError('unreachable', 'the request could not be made');
    const code = failure.failure === 'unreachable' ? UPSTREAM_UNREACHABLE : failure.failure === 'timeout' ? UPSTREAM_TIMEOUT : UPSTREAM_INVALID_RESPONSE;
    logger.warn('token endpoint failed', { vendor: vendor.name, host, error: code, reason: failure.reason });
    return { error: code, description: `the token endpoint ${describeFailure(failure)}` };
  }

  const text = response.body.toString('utf8');
  const result = vendor.normalizeTokenResponse(response.status, parseBody(text), now());
  if (!isTokenError(result)) return result;
  const clean = cleanError(result, response.status, sent);
  logger.warn('token endpoint refused', { vendor: vendor.name, host, status: response.status, error: clean.error, ...(clean.description ? { description: clean.description } : {}) });
  return clean;
}

/**
 * Puts the client's authentication on a request to the authorization server (token, revocation);
 * returns what it carried, for redaction.
 */
export async function authenticateClient(client: ClientCredentials, body: URLSearchParams, headers: Record<string, string>): Promise<{ secret: string; basic?: string }> {
  if (client.authentication === 'private_key_jwt') {
    // RFC 7523 §2.2 with RFC 7521 §4.2's client_id, for servers that look the client up first.
    const assertion = await client.assertion();
    body.set('client_id', client.clientId);
    body.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
    body.set('client_assertion', assertion);
    return { secret: assertion };
  }
  if (client.authentication === 'client_secret_basic') {
    // RFC 6749 §2.3.1: each part form-encoded before joining.
    const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
    const basic = Buffer.from(`${encode(client.clientId)}:${encode(client.clientSecret)}`).toString('base64');
    headers.authorization = `Basic ${basic}`;
    return { secret: client.clientSecret, basic };
  }
  body.set('client_id', client.clientId);
  body.set('client_secret', client.clientSecret);
  return { secret: client.clientSecret };
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return Object.fromEntries(new URLSearchParams(text)); // some vendors answer form-encoded
  }
}

/**
 * The vendor's refusal, reduced to what may travel: a plausible RFC 6749 error code and a
 * description with every credential removed. An answer that is no OAuth error (a 5xx page, a
 * success without a token) is an invalid response, not a refusal.
 */
function cleanError(error: TokenError, status: number, sent: (string | undefined)[]): TokenError {
  if (error.error === 'invalid_token_response') return { error: UPSTREAM_INVALID_RESPONSE, description: `the token endpoint answered HTTP ${status} without an access token` };
  if (/^http_\d+$/.test(error.error)) {
    if (status >= 500) return { error: UPSTREAM_INVALID_RESPONSE, description: `the token endpoint answered HTTP ${status} without an OAuth error` };
    if (status === 429) return { error: 'temporarily_unavailable', description: 'the token endpoint answered HTTP 429' };
    return { error: error.error };
  }
  const code = plausibleErrorCode(error.error, sent) ?? 'unrecognized_error';
  const description = safeDescription(error.description, sent);
  return description ? { error: code, description } : { error: code };
}

function describeFailure(failure: OutboundError): string {
  switch (failure.failure) {
    case 'unreachable':
      return 'could not be reached';
    case 'timeout':
      return 'did not answer in time';
    default:
      return /larger/.test(failure.reason) ? 'answered with a body above the size limit' : /redirect/.test(failure.reason) ? 'answered with a redirect, which is not followed' : 'answered incompletely';
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
