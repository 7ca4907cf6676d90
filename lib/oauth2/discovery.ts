import { ValidationException } from '../errors.js';
import { requireUrl, type AuthorizationServer } from './vendors.js';

/**
 * Reads an authorization server's metadata (OpenID Connect discovery or RFC 8414) at provider
 * creation, so a bad URL is refused then rather than at the first vend.
 */
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

export async function discover(discoveryUrl: string, field: string): Promise<AuthorizationServer> {
  requireUrl(discoveryUrl, field);
  let metadata: Record<string, unknown>;
  try {
    const response = await fetch(discoveryUrl, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(String(response.status));
    metadata = (await response.json()) as Record<string, unknown>;
  } catch {
    throw ValidationException.field(field, 'could not be fetched as a JSON discovery document');
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
    tokenEndpointAuthMethods: Array.isArray(metadata.token_endpoint_auth_methods_supported) ? (metadata.token_endpoint_auth_methods_supported as string[]) : undefined,
  };
}
