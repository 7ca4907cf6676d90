import { ValidationException } from '../errors.js';
import { requireUrl } from '../outbound/endpoint-url.js';
import { readTokenResponse } from './token-response.js';
import { VENDOR_DECLARATIONS } from './vendor-catalogue.js';
import type { AuthorizationServer, ClientAuthentication, EndpointPair, IssuerEndpoints, TenantIdEndpoints, Vendor, VendorDeclaration, VendorName } from './vendor-types.js';

/**
 * The behaviour behind the vendor catalogue: each kind of declaration (lib/oauth2/vendor-catalogue.ts)
 * written once, and `vendorOf`, which the flows call. Vendors are built on first use, so a
 * bundle that imports this module but never asks for a vendor runs no code of it.
 */
const built = /* @__PURE__ */ new Map<VendorName, Vendor>();

export function vendorOf(name: VendorName): Vendor {
  const known = built.get(name);
  if (known) return known;
  if (!Object.hasOwn(VENDOR_DECLARATIONS, name)) throw ValidationException.field('credentialProviderVendor', `${name} is not supported by this deployment`);
  const vendor = Object.freeze(vendorFrom(name, VENDOR_DECLARATIONS[name]));
  built.set(name, vendor);
  return vendor;
}

/** Headers for a token endpoint request to this vendor (never the client credentials: those go by `clientAuthentication`). */
export function tokenRequestHeadersOf(vendor: Vendor): Record<string, string> {
  return { Accept: 'application/json', ...vendor.tokenRequestHeaders };
}

function vendorFrom(name: VendorName, declaration: VendorDeclaration): Vendor {
  const scopeSeparator = declaration.scopeSeparator ?? ' ';
  const { userScopes, refreshScope } = declaration;
  const tokenResponse = declaration.tokenResponse ?? {};
  return {
    name,
    configMember: declaration.configMember ?? 'includedOauth2ProviderConfig',
    authorizationServer: authorizationServerOf(declaration),
    scopeSeparator,
    clientAuthentication: declaration.clientAuthentication,
    authorizationParameters: (scopes) => {
      const parameters: Record<string, string> = { ...declaration.authorizationParameters };
      const user = userScopes ? scopes.filter((s) => s.startsWith(userScopes.prefix)).map((s) => s.slice(userScopes.prefix.length)).filter(Boolean) : [];
      if (userScopes && user.length > 0) parameters[userScopes.parameter] = user.join(scopeSeparator);
      return parameters;
    },
    requestScopes: (scopes) => {
      const sent = userScopes ? scopes.filter((s) => !s.startsWith(userScopes.prefix)) : scopes;
      return refreshScope === undefined || sent.includes(refreshScope) ? sent : [...sent, refreshScope];
    },
    normalizeTokenResponse: (status, body, now) => readTokenResponse(tokenResponse, status, body, now),
    ...(declaration.tokenRequestHeaders ? { tokenRequestHeaders: declaration.tokenRequestHeaders } : {}),
    ...(declaration.revocationEndpoint ? { revocationEndpoint: declaration.revocationEndpoint } : {}),
  };
}

function authorizationServerOf(declaration: VendorDeclaration): Vendor['authorizationServer'] {
  const { endpoints, clientAuthentication } = declaration;
  switch (endpoints.from) {
    case 'public':
      return () => serverAt(clientAuthentication, endpoints.issuer, endpoints);
    case 'tenantId':
      return (input, field) => tenantServer(endpoints, clientAuthentication, input.tenantId, field);
    case 'issuer':
      return (input, field) => issuerServer(endpoints, clientAuthentication, input, field);
    case 'discovery':
      return (input, field) => ({
        issuer: input.issuer,
        authorizationEndpoint: requireUrl(input.authorizationEndpoint, `${field}.authorizationEndpoint`),
        tokenEndpoint: requireUrl(input.tokenEndpoint, `${field}.tokenEndpoint`),
      });
  }
}

/** The server as stored: the vendor's one client authentication, and the code flow. */
function serverAt(clientAuthentication: ClientAuthentication, issuer: string | undefined, endpoints: EndpointPair): AuthorizationServer {
  return {
    ...(issuer ? { issuer } : {}),
    authorizationEndpoint: endpoints.authorizationEndpoint,
    tokenEndpoint: endpoints.tokenEndpoint,
    tokenEndpointAuthMethods: [clientAuthentication],
    responseTypes: ['code'],
  };
}

/** `{name}` in a template, from `values`; the values were validated, so none can reshape the URL. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);
}

function tenantServer(endpoints: TenantIdEndpoints, clientAuthentication: ClientAuthentication, given: string | undefined, field: string): AuthorizationServer {
  const tenantId = given === undefined || given === '' ? endpoints.default : given;
  if (!endpoints.pattern.test(tenantId)) throw ValidationException.field(`${field}.tenantId`, endpoints.requirement);
  const values = { tenantId };
  return serverAt(clientAuthentication, fill(endpoints.issuer, values), {
    authorizationEndpoint: fill(endpoints.authorizationEndpoint, values),
    tokenEndpoint: fill(endpoints.tokenEndpoint, values),
  });
}

/**
 * Explicit `authorizationEndpoint` / `tokenEndpoint` win; whichever is missing derives from
 * `issuer` (validated as a URL without query or fragment, trailing slashes dropped). Neither:
 * ValidationException on `${field}.issuer`.
 */
function issuerServer(endpoints: IssuerEndpoints, clientAuthentication: ClientAuthentication, input: { issuer?: string; authorizationEndpoint?: string; tokenEndpoint?: string }, field: string): AuthorizationServer {
  const explicitAuthorization = input.authorizationEndpoint ? requireUrl(input.authorizationEndpoint, `${field}.authorizationEndpoint`) : undefined;
  const explicitToken = input.tokenEndpoint ? requireUrl(input.tokenEndpoint, `${field}.tokenEndpoint`) : undefined;
  let issuer: string | undefined;
  let derived: EndpointPair | undefined;
  if (input.issuer) {
    issuer = requireUrl(input.issuer, `${field}.issuer`);
    const url = new URL(issuer);
    if (url.search || url.hash || url.username || url.password) throw ValidationException.field(`${field}.issuer`, 'must be a plain URL (no credentials, query or fragment)');
    if (explicitAuthorization === undefined || explicitToken === undefined) derived = derive(endpoints, url, issuer.replace(/\/+$/, ''), `${field}.issuer`);
  } else if (explicitAuthorization === undefined || explicitToken === undefined) {
    throw ValidationException.field(`${field}.issuer`, 'is required for this vendor unless both authorizationEndpoint and tokenEndpoint are given');
  }
  return serverAt(clientAuthentication, issuer, {
    authorizationEndpoint: explicitAuthorization ?? derived!.authorizationEndpoint,
    tokenEndpoint: explicitToken ?? derived!.tokenEndpoint,
  });
}

function derive(endpoints: IssuerEndpoints, issuer: URL, base: string, field: string): EndpointPair {
  const segments = issuer.pathname.split('/').filter(Boolean);
  if (endpoints.refusedHosts?.test(issuer.hostname) || (endpoints.pathSegments !== undefined && segments.length !== endpoints.pathSegments)) {
    throw ValidationException.field(field, endpoints.requirement ?? 'cannot name the endpoints; give authorizationEndpoint and tokenEndpoint');
  }
  const templates = segments.length === 0 && endpoints.bareDomain ? endpoints.bareDomain : endpoints;
  const values = { issuer: base, origin: issuer.origin, path: segments.join('/') };
  return { authorizationEndpoint: fill(templates.authorizationEndpoint, values), tokenEndpoint: fill(templates.tokenEndpoint, values) };
}
