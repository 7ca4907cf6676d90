/**
 * The vocabulary of the vendor catalogue: what a vendor declares (lib/oauth2/vendor-catalogue.ts),
 * what it is once built (the `Vendor` the flows call, lib/oauth2/vendors.ts), and what a token
 * endpoint's answer becomes once its dialect is translated (lib/oauth2/token-response.ts).
 */
export type VendorName =
  | 'GoogleOauth2' | 'GithubOauth2' | 'SlackOauth2' | 'SalesforceOauth2' | 'MicrosoftOauth2' | 'CustomOauth2'
  | 'AtlassianOauth2' | 'LinkedinOauth2' | 'XOauth2' | 'OktaOauth2' | 'OneLoginOauth2' | 'PingOneOauth2'
  | 'FacebookOauth2' | 'YandexOauth2' | 'RedditOauth2' | 'ZoomOauth2' | 'TwitchOauth2' | 'SpotifyOauth2'
  | 'DropboxOauth2' | 'NotionOauth2' | 'HubspotOauth2' | 'CyberArkOauth2' | 'FusionAuthOauth2' | 'Auth0Oauth2'
  | 'CognitoOauth2';

/** The member of Oauth2ProviderConfigInput / Output that carries a vendor's settings. */
export type ConfigMember =
  | 'googleOauth2ProviderConfig' | 'githubOauth2ProviderConfig' | 'slackOauth2ProviderConfig'
  | 'salesforceOauth2ProviderConfig' | 'microsoftOauth2ProviderConfig' | 'customOauth2ProviderConfig'
  | 'atlassianOauth2ProviderConfig' | 'linkedinOauth2ProviderConfig' | 'includedOauth2ProviderConfig';

/** The vendor-specific part of a provider's input, as the contract has it (secrets excluded). */
export interface VendorConfigInput {
  clientId?: string;
  /** MicrosoftOauth2 */
  tenantId?: string;
  /** includedOauth2ProviderConfig: for vendors whose endpoints depend on the customer's tenant. */
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

/** Where an authorization server is, once resolved (the contract's Oauth2AuthorizationServerMetadata). */
export interface AuthorizationServer {
  issuer?: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** RFC 8693 token exchange is done at the token endpoint; listed here when the server says so. */
  tokenEndpointAuthMethods?: string[];
  responseTypes?: string[];
}

export type ClientAuthentication = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** A token response, once the vendor's dialect is translated. */
export interface NormalizedToken {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds; undefined when the vendor gives no lifetime (GitHub by default, Salesforce). */
  expiresAt?: number;
  /** Epoch milliseconds; when the vendor says how long the refresh token lives (GitHub's expiring user tokens, LinkedIn). */
  refreshTokenExpiresAt?: number;
  /** The scopes granted, when the vendor says; otherwise the caller assumes those requested. */
  scopes?: string[];
  tokenType?: string;
  /** Vendor extras a caller needs to use the token (Salesforce's instance_url). Never secrets. */
  extras?: Record<string, string>;
}

/** An OAuth error answer (RFC 6749 §5.2), in whatever shape the vendor sent it. */
export interface TokenError {
  error: string;
  description?: string;
}

/** A vendor as the flows use it, built from its declaration (lib/oauth2/vendor-catalogue.ts). */
export interface Vendor {
  name: VendorName;
  configMember: ConfigMember;
  /** The authorization server for this provider's input; ValidationException naming the field when the input lacks what the vendor needs. */
  authorizationServer(input: VendorConfigInput, field: string): AuthorizationServer;
  scopeSeparator: string;
  clientAuthentication: ClientAuthentication;
  /**
   * Parameters added to every authorization URL (Google's access_type=offline, ...). Give it the
   * scopes as the caller asked for them (before `requestScopes`): Slack takes its user scopes from
   * there.
   */
  authorizationParameters(scopes: string[]): Record<string, string>;
  /** Scopes as sent to the vendor (Microsoft needs offline_access for a refresh token). */
  requestScopes(scopes: string[]): string[];
  /** Translates an HTTP answer of the token endpoint; `now` is epoch ms. */
  normalizeTokenResponse(status: number, body: unknown, now: number): NormalizedToken | TokenError;
  /**
   * Headers the token request needs besides Content-Type and client authentication (GitHub answers
   * form-encoded unless asked for JSON; Reddit throttles generic User-Agents). Use
   * `tokenRequestHeadersOf(vendor)`, which adds `Accept: application/json` for every vendor.
   */
  tokenRequestHeaders?: Readonly<Record<string, string>>;
  /** Where the vendor revokes a grant (RFC 7009), when it has such an endpoint and publishes no metadata naming it. */
  revocationEndpoint?: string;
}

// ---------------------------------------------------------------------------------------------
// Declarations: what sets a vendor apart, as data
// ---------------------------------------------------------------------------------------------

/** Two endpoint URLs, possibly templates (see the `from` kinds for the placeholders). */
export interface EndpointPair {
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

/** Endpoints the same for every customer; the provider's input has no say in where they are. */
export interface PublicEndpoints extends EndpointPair {
  from: 'public';
  issuer?: string;
}

/**
 * Endpoints that name the customer's tenant (Microsoft): `{tenantId}` in each URL is the input's
 * `tenantId`, `default` when absent; a value not matching `pattern` is refused with `requirement`.
 */
export interface TenantIdEndpoints extends EndpointPair {
  from: 'tenantId';
  issuer: string;
  default: string;
  pattern: RegExp;
  requirement: string;
}

/**
 * Endpoints on the customer's own domain: the input's explicit `authorizationEndpoint` /
 * `tokenEndpoint` win; whichever is missing derives from its `issuer` (required then). In the
 * templates `{issuer}` is the issuer without trailing slashes, `{origin}` its origin and `{path}`
 * its path without leading or trailing slashes.
 */
export interface IssuerEndpoints extends EndpointPair {
  from: 'issuer';
  /** Templates for an issuer that is a bare domain (no path): Okta's org authorization server. */
  bareDomain?: EndpointPair;
  /** How many path segments the issuer must have (CyberArk: exactly the application id). */
  pathSegments?: number;
  /** Issuers on these hosts serve no OAuth endpoints (Cognito's token issuer). */
  refusedHosts?: RegExp;
  /** What a refused issuer must be instead (the caller reads it). */
  requirement?: string;
}

/** Endpoints given in the input as they are (CustomOauth2: resolved from oauthDiscovery by the caller). */
export interface GivenEndpoints {
  from: 'discovery';
}

export type EndpointDeclaration = PublicEndpoints | TenantIdEndpoints | IssuerEndpoints | GivenEndpoints;

/**
 * How a vendor's token answers read. The dialects are written in lib/oauth2/token-response.ts;
 * RFC 6749 (`rfc6749`) also covers errors under HTTP 200 and form-encoded answers.
 */
export type TokenDialect =
  /** RFC 6749 §5.1 / §5.2, whatever the HTTP status; JSON or form-encoded. */
  | 'rfc6749'
  /** Slack OAuth v2: `{ok:false, error}` under HTTP 200; a user token nested under `authed_user`. */
  | 'slack-v2'
  /** Graph API errors, `{error: {message, type, code}}`: `type` is the error, `message` the description. */
  | 'graph-api-error'
  /** Errors without an `error` member, `{message, ...}`: the HTTP status names the error. */
  | 'message-error'
  /** Errors as `{status: "BAD_AUTH_CODE", message}`: `status` is the error, `message` the description. */
  | 'status-error';

export interface TokenResponseDeclaration {
  /** `rfc6749` when absent. */
  dialect?: TokenDialect;
  /** String members of the answer a caller needs to use the token (never secrets). */
  extras?: readonly string[];
}

/** One vendor, every fact stated once; what is absent is RFC 6749 as most vendors speak it. */
export interface VendorDeclaration {
  /** `includedOauth2ProviderConfig` when absent. */
  configMember?: ConfigMember;
  clientAuthentication: ClientAuthentication;
  endpoints: EndpointDeclaration;
  /** `' '` when absent. */
  scopeSeparator?: ' ' | ',';
  /** A scope added to every request unless already asked for (the vendor's refresh-token scope). */
  refreshScope?: string;
  /** Scopes named with `prefix` are sent, prefix removed, in the authorization parameter `parameter`, not in `scope`. */
  userScopes?: { prefix: string; parameter: string };
  /** Added to every authorization URL. */
  authorizationParameters?: Readonly<Record<string, string>>;
  tokenResponse?: TokenResponseDeclaration;
  /** Headers the token request needs besides Content-Type, Accept and client authentication. */
  tokenRequestHeaders?: Readonly<Record<string, string>>;
  /** The vendor's RFC 7009 revocation endpoint (token + token_type_hint, the client authenticated as at its token endpoint). */
  revocationEndpoint?: string;
}
