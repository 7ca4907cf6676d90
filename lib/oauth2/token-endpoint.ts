import { tokenRequestHeadersOf, type AuthorizationServer, type ClientAuthentication, type NormalizedToken, type TokenError, type Vendor } from './vendors.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  authentication: ClientAuthentication;
}

/**
 * One request to a token endpoint (RFC 6749 §3.2), whatever the grant. The answer goes through
 * the vendor's normalizer before anything reads it: vendors disagree on status codes, field
 * nesting and content types, and that is settled in the catalogue, not here. Plain fetch rather
 * than a strict OAuth library, because strict response checks would reject those dialects before
 * the catalogue could translate them.
 */
export async function requestToken(
  vendor: Vendor,
  server: AuthorizationServer,
  client: ClientCredentials,
  grant: Record<string, string | string[] | undefined>,
  now: () => number = Date.now,
  options: { timeoutMs?: number } = {},
): Promise<NormalizedToken | TokenError> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(grant)) for (const value of [v ?? []].flat()) body.append(k, value);
  const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
  for (const [name, value] of Object.entries(tokenRequestHeadersOf(vendor))) headers.set(name, value);
  if (client.authentication === 'client_secret_basic') {
    // RFC 6749 §2.3.1: each part form-encoded before joining.
    const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
    headers.set('authorization', `Basic ${Buffer.from(`${encode(client.clientId)}:${encode(client.clientSecret)}`).toString('base64')}`);
  } else {
    body.set('client_id', client.clientId);
    body.set('client_secret', client.clientSecret);
  }
  let status: number;
  let text: string;
  let sent = false;
  try {
    const response = await fetch(server.tokenEndpoint, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    sent = true;
    status = response.status;
    text = await response.text();
  } catch (error) {
    // A request that timed out may have been processed; one that never connected was not.
    if ((error as Error).name === 'TimeoutError' || sent) return { error: 'upstream_timeout', description: `the token endpoint of ${vendor.name} did not answer in time` };
    return { error: 'upstream_unreachable', description: `the token endpoint of ${vendor.name} could not be reached` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = Object.fromEntries(new URLSearchParams(text)); // some vendors answer form-encoded
  }
  const result = vendor.normalizeTokenResponse(status, parsed, now());
  if ('error' in result && (/^http_5\d\d$/.test(result.error) || result.error === 'invalid_token_response')) {
    return { error: 'upstream_invalid_response', description: `the token endpoint of ${vendor.name} gave no usable answer` };
  }
  return result;
}
