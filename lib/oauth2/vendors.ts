import { ValidationException } from '../errors.js';
import { isLocalhostName, parseAddress } from '../outbound/address-policy.js';
import { deploymentPolicy } from '../outbound/http-client.js';

/**
 * The vendor catalogue: for every credentialProviderVendor, where its endpoints are (or how they
 * derive from the provider's input), how it wants scopes and client credentials, and how its
 * token responses differ from RFC 6749. Everything vendor-specific lives here and nowhere else.
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

export type ClientAuthentication = 'client_secret_basic' | 'client_secret_post';

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
   * there (see SLACK_USER_SCOPE_PREFIX).
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
  /** The vendor refuses an authorization code flow without PKCE (X). The caller always sends PKCE; this is documentation. */
  requiresPkce?: boolean;
}

export function isTokenError(value: NormalizedToken | TokenError): value is TokenError {
  return 'error' in value;
}

/** Headers for a token endpoint request to this vendor (never the client credentials: those go by `clientAuthentication`). */
export function tokenRequestHeadersOf(vendor: Vendor): Record<string, string> {
  return { Accept: 'application/json', ...vendor.tokenRequestHeaders };
}

// ---------------------------------------------------------------------------------------------
// Reading token responses
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The body as an object: already-parsed JSON, or the raw text of a JSON or form-encoded answer
 * (GitHub answers `access_token=...&scope=...` when the request did not ask for JSON). Anything
 * else (HTML error pages, empty bodies) reads as `{}`.
 */
function bodyOf(body: unknown): Json {
  if (body instanceof URLSearchParams) return Object.fromEntries(body);
  if (typeof body === 'string') {
    const text = body.trim();
    if (text.startsWith('{')) {
      try {
        const parsed: unknown = JSON.parse(text);
        return isRecord(parsed) ? parsed : {};
      } catch {
        return {};
      }
    }
    if (/^[A-Za-z0-9_.~%+-]+=[^\s<>]*$/.test(text)) return Object.fromEntries(new URLSearchParams(text));
    return {};
  }
  return isRecord(body) ? body : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A vendor's own description, bounded so a misbehaving server cannot flood logs and error messages. */
function vendorText(value: unknown): string | undefined {
  const s = text(value);
  return s === undefined ? undefined : s.length > 500 ? `${s.slice(0, 500)}…` : s;
}

function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function scopesOf(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? value.split(/[ ,]+/) : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const scopes = list.map((s) => s.trim()).filter(Boolean);
  return scopes.length > 0 ? scopes : undefined;
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

const NO_ACCESS_TOKEN: TokenError = { error: 'invalid_token_response', description: 'the token response has no access_token' };

/** RFC 6749 §5.2 errors: `error` + `error_description`, whatever the HTTP status (GitHub, Reddit and Slack answer errors with 200). */
function rfcError(status: number, json: Json): TokenError | undefined {
  const error = text(json.error);
  if (error !== undefined) return { error, description: vendorText(json.error_description) };
  if (!isSuccess(status)) return { error: `http_${status}`, description: vendorText(json.error_description) };
  return undefined;
}

/** RFC 6749 §5.1 success members, read from `json`. */
function rfcToken(json: Json, now: number): NormalizedToken | TokenError {
  const accessToken = text(json.access_token);
  if (accessToken === undefined) return { ...NO_ACCESS_TOKEN };
  const expiresIn = seconds(json.expires_in);
  const refreshExpiresIn = seconds(json.refresh_token_expires_in);
  const token: NormalizedToken = {
    accessToken,
    refreshToken: text(json.refresh_token),
    expiresAt: expiresIn === undefined ? undefined : now + expiresIn * 1000,
    scopes: scopesOf(json.scope),
    tokenType: text(json.token_type),
  };
  if (refreshExpiresIn !== undefined) token.refreshTokenExpiresAt = now + refreshExpiresIn * 1000;
  return token;
}

/** RFC 6749 §5.1 / §5.2, the dialect most vendors speak. */
export function standardTokenResponse(status: number, body: unknown, now: number): NormalizedToken | TokenError {
  const json = bodyOf(body);
  return rfcError(status, json) ?? rfcToken(json, now);
}

function withExtras(result: NormalizedToken | TokenError, json: Json, keys: string[]): NormalizedToken | TokenError {
  if (isTokenError(result)) return result;
  const extras: Record<string, string> = {};
  for (const key of keys) {
    const value = json[key];
    if (typeof value === 'string' && value !== '') extras[key] = value;
  }
  return Object.keys(extras).length > 0 ? { ...result, extras: { ...result.extras, ...extras } } : result;
}

// ---------------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------------

/**
 * A URL the service will call (or send browsers to): absolute, https, and not naming an address
 * the deployment's outbound policy refuses. This is the early, syntactic half of the policy (so
 * a caller learns at once that `https://169.254.169.254/` or `https://localhost./` cannot be a
 * token endpoint); the half that counts runs on every connection, after DNS resolution
 * (lib/outbound/http-client.ts). Plain http only for loopback in development.
 */
function requireUrl(value: string | undefined, field: string): string {
  if (!value) throw ValidationException.field(field, 'is required for this vendor');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw ValidationException.field(field, 'must be an absolute URL');
  }
  const policy = deploymentPolicy();
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = isLocalhostName(hostname) || (parseAddress(hostname) !== undefined && /^(127\.\d+\.\d+\.\d+|::1)$/.test(hostname));
  if (url.protocol !== 'https:' && !(policy.allowsLoopback && url.protocol === 'http:' && loopback)) {
    throw ValidationException.field(field, 'must be an https URL');
  }
  if (url.username || url.password) throw ValidationException.field(field, 'must not carry credentials');
  if (!policy.checkHostname(hostname).allowed) {
    throw ValidationException.field(field, 'must not name this machine, a link-local, private or metadata address (see outboundAllowedNetworks)');
  }
  return value;
}

interface FixedEndpoints {
  issuer?: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

/** A vendor with public endpoints: the provider's input has no say in where they are. */
function fixed(endpoints: FixedEndpoints, clientAuthentication: ClientAuthentication): Vendor['authorizationServer'] {
  return () => ({
    ...(endpoints.issuer ? { issuer: endpoints.issuer } : {}),
    authorizationEndpoint: endpoints.authorizationEndpoint,
    tokenEndpoint: endpoints.tokenEndpoint,
    tokenEndpointAuthMethods: [clientAuthentication],
    responseTypes: ['code'],
  });
}

/**
 * A vendor whose endpoints live on the customer's tenant. Explicit `authorizationEndpoint` /
 * `tokenEndpoint` win; whichever is missing derives from `issuer` (validated as a URL without
 * query or fragment, trailing slashes dropped). Neither: ValidationException on `${field}.issuer`.
 */
function tenant(
  derive: (issuer: URL, base: string, field: string) => { authorizationEndpoint: string; tokenEndpoint: string },
  clientAuthentication: ClientAuthentication,
): Vendor['authorizationServer'] {
  return (input, field) => {
    const explicitAuthorization = input.authorizationEndpoint ? requireUrl(input.authorizationEndpoint, `${field}.authorizationEndpoint`) : undefined;
    const explicitToken = input.tokenEndpoint ? requireUrl(input.tokenEndpoint, `${field}.tokenEndpoint`) : undefined;
    let issuer: string | undefined;
    let derived: { authorizationEndpoint: string; tokenEndpoint: string } | undefined;
    if (input.issuer) {
      issuer = requireUrl(input.issuer, `${field}.issuer`);
      const url = new URL(issuer);
      if (url.search || url.hash || url.username || url.password) throw ValidationException.field(`${field}.issuer`, 'must be a plain URL (no credentials, query or fragment)');
      if (explicitAuthorization === undefined || explicitToken === undefined) derived = derive(url, issuer.replace(/\/+$/, ''), `${field}.issuer`);
    } else if (explicitAuthorization === undefined || explicitToken === undefined) {
      throw ValidationException.field(`${field}.issuer`, 'is required for this vendor unless both authorizationEndpoint and tokenEndpoint are given');
    }
    return {
      ...(issuer ? { issuer } : {}),
      authorizationEndpoint: explicitAuthorization ?? derived!.authorizationEndpoint,
      tokenEndpoint: explicitToken ?? derived!.tokenEndpoint,
      tokenEndpointAuthMethods: [clientAuthentication],
      responseTypes: ['code'],
    };
  };
}

function paths(authorize: string, token: string) {
  return (_issuer: URL, base: string) => ({ authorizationEndpoint: `${base}${authorize}`, tokenEndpoint: `${base}${token}` });
}

const none = () => ({});
const asIs = (scopes: string[]) => scopes;

type VendorDefaults = 'configMember' | 'scopeSeparator' | 'authorizationParameters' | 'requestScopes' | 'normalizeTokenResponse';

/** A vendor from what sets it apart; the rest is RFC 6749 as most vendors speak it. */
function defineVendor(vendor: Omit<Vendor, VendorDefaults> & Partial<Pick<Vendor, VendorDefaults>>): Vendor {
  return {
    configMember: 'includedOauth2ProviderConfig',
    scopeSeparator: ' ',
    authorizationParameters: none,
    requestScopes: asIs,
    normalizeTokenResponse: standardTokenResponse,
    ...vendor,
  };
}
const adding = (scope: string) => (scopes: string[]) => (scopes.includes(scope) ? scopes : [...scopes, scope]);

// ---------------------------------------------------------------------------------------------
// The catalogue
// ---------------------------------------------------------------------------------------------

/**
 * CustomOauth2: endpoints come from the provider's oauthDiscovery (resolved by the caller, which
 * fetches a discoveryUrl at create) and arrive here as `issuer`/`authorizationEndpoint`/`tokenEndpoint`.
 */
const custom = defineVendor({
  name: 'CustomOauth2',
  configMember: 'customOauth2ProviderConfig',
  authorizationServer: (input, field) => ({
    issuer: input.issuer,
    authorizationEndpoint: requireUrl(input.authorizationEndpoint, `${field}.authorizationEndpoint`),
    tokenEndpoint: requireUrl(input.tokenEndpoint, `${field}.tokenEndpoint`),
  }),
  clientAuthentication: 'client_secret_basic',
  authorizationParameters: () => ({}),
  requestScopes: (scopes) => scopes,
});

/** Google: a refresh token only with access_type=offline, and only on a consent screen (prompt=consent) after the first grant. */
const google = defineVendor({
  name: 'GoogleOauth2',
  configMember: 'googleOauth2ProviderConfig',
  authorizationServer: fixed(
    { issuer: 'https://accounts.google.com', authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth', tokenEndpoint: 'https://oauth2.googleapis.com/token' },
    'client_secret_post',
  ),
  clientAuthentication: 'client_secret_post',
  authorizationParameters: () => ({ access_type: 'offline', prompt: 'consent' }),
});

/**
 * GitHub (OAuth apps and GitHub apps): errors come back with HTTP 200 and `{error, error_description,
 * error_uri}`; the answer is form-encoded unless the request says `Accept: application/json`; tokens
 * have no lifetime unless the app opted into expiring user tokens (then expires_in, refresh_token and
 * refresh_token_expires_in). Granted scopes come back comma-separated ("repo,gist"), empty for GitHub apps.
 */
const github = defineVendor({
  name: 'GithubOauth2',
  configMember: 'githubOauth2ProviderConfig',
  authorizationServer: fixed(
    { authorizationEndpoint: 'https://github.com/login/oauth/authorize', tokenEndpoint: 'https://github.com/login/oauth/access_token' },
    'client_secret_post',
  ),
  clientAuthentication: 'client_secret_post',
  tokenRequestHeaders: { Accept: 'application/json' },
});

/**
 * Slack user scopes (a user token, as opposed to the bot token that `scope` asks for) are given as
 * scopes with this prefix: `user:search:read` is sent as `user_scope=search:read`. No Slack scope
 * name starts with `user:` (they are `users:read`, `usergroups:read`, ...), so the prefix cannot clash.
 */
export const SLACK_USER_SCOPE_PREFIX = 'user:';

/**
 * Slack (OAuth v2): HTTP 200 with `{ok:false, error}` on failure. On success the bot token is at the
 * top level (token_type "bot") and a user token, when user scopes were asked for, is nested under
 * `authed_user` (token_type "user"). The bot token wins when there is one; otherwise the user token
 * is used. With token rotation enabled, expires_in and refresh_token sit next to each token.
 */
const slack = defineVendor({
  name: 'SlackOauth2',
  configMember: 'slackOauth2ProviderConfig',
  authorizationServer: fixed(
    { authorizationEndpoint: 'https://slack.com/oauth/v2/authorize', tokenEndpoint: 'https://slack.com/api/oauth.v2.access' },
    'client_secret_post',
  ),
  scopeSeparator: ',',
  clientAuthentication: 'client_secret_post',
  authorizationParameters: (scopes): Record<string, string> => {
    const userScopes = scopes.filter((s) => s.startsWith(SLACK_USER_SCOPE_PREFIX)).map((s) => s.slice(SLACK_USER_SCOPE_PREFIX.length)).filter(Boolean);
    return userScopes.length > 0 ? { user_scope: userScopes.join(',') } : {};
  },
  requestScopes: (scopes) => scopes.filter((s) => !s.startsWith(SLACK_USER_SCOPE_PREFIX)),
  normalizeTokenResponse: (status, body, now) => {
    const json = bodyOf(body);
    if (json.ok === false) return { error: text(json.error) ?? (isSuccess(status) ? 'slack_error' : `http_${status}`), description: vendorText(json.error_description) };
    const error = rfcError(status, json);
    if (error) return error;
    const user = isRecord(json.authed_user) ? json.authed_user : {};
    const ids: Record<string, string> = {};
    const team = isRecord(json.team) ? text(json.team.id) : undefined;
    const enterprise = isRecord(json.enterprise) ? text(json.enterprise.id) : undefined;
    if (team) ids.team_id = team;
    if (enterprise) ids.enterprise_id = enterprise;
    if (text(json.app_id)) ids.app_id = text(json.app_id)!;
    if (text(user.id)) ids.authed_user_id = text(user.id)!;
    let token: NormalizedToken | TokenError;
    if (text(json.access_token) !== undefined) {
      token = rfcToken(json, now);
      if (!isTokenError(token)) {
        token.tokenType ??= 'bot';
        if (text(json.bot_user_id)) ids.bot_user_id = text(json.bot_user_id)!;
      }
    } else if (text(user.access_token) !== undefined) {
      token = rfcToken(user, now);
      if (!isTokenError(token)) token.tokenType ??= 'user';
    } else {
      return { ...NO_ACCESS_TOKEN };
    }
    if (!isTokenError(token) && Object.keys(ids).length > 0) token.extras = ids;
    return token;
  },
});

/**
 * Salesforce: `instance_url` (the org's API host, needed to use the token) and `id` come with the
 * token; there is no `expires_in` (the session lifetime is an org setting). Production and developer
 * orgs log in at login.salesforce.com (sandboxes and My Domain logins are not reachable from this vendor).
 */
const salesforce = defineVendor({
  name: 'SalesforceOauth2',
  configMember: 'salesforceOauth2ProviderConfig',
  authorizationServer: fixed(
    {
      issuer: 'https://login.salesforce.com',
      authorizationEndpoint: 'https://login.salesforce.com/services/oauth2/authorize',
      tokenEndpoint: 'https://login.salesforce.com/services/oauth2/token',
    },
    'client_secret_post',
  ),
  clientAuthentication: 'client_secret_post',
  normalizeTokenResponse: (status, body, now) => {
    const json = bodyOf(body);
    return withExtras(standardTokenResponse(status, json, now), json, ['instance_url']);
  },
});

/** A tenant id, a verified domain, or one of `common`, `organizations`, `consumers`: one path segment. */
const MICROSOFT_TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/;

/** Microsoft identity platform v2.0: the tenant is part of every endpoint; a refresh token only with offline_access. */
const microsoft = defineVendor({
  name: 'MicrosoftOauth2',
  configMember: 'microsoftOauth2ProviderConfig',
  authorizationServer: (input, field) => {
    const tenantId = input.tenantId === undefined || input.tenantId === '' ? 'common' : input.tenantId;
    if (!MICROSOFT_TENANT.test(tenantId)) throw ValidationException.field(`${field}.tenantId`, 'must be a tenant ID, a domain name, common, organizations or consumers');
    const base = `https://login.microsoftonline.com/${tenantId}`;
    return {
      issuer: `${base}/v2.0`,
      authorizationEndpoint: `${base}/oauth2/v2.0/authorize`,
      tokenEndpoint: `${base}/oauth2/v2.0/token`,
      tokenEndpointAuthMethods: ['client_secret_post'],
      responseTypes: ['code'],
    };
  },
  clientAuthentication: 'client_secret_post',
  requestScopes: adding('offline_access'),
});

/** Atlassian (3LO): `audience=api.atlassian.com` and `prompt=consent` are required; a refresh token only with offline_access. */
const atlassian = defineVendor({
  name: 'AtlassianOauth2',
  configMember: 'atlassianOauth2ProviderConfig',
  authorizationServer: fixed(
    { authorizationEndpoint: 'https://auth.atlassian.com/authorize', tokenEndpoint: 'https://auth.atlassian.com/oauth/token' },
    'client_secret_post',
  ),
  clientAuthentication: 'client_secret_post',
  authorizationParameters: () => ({ audience: 'api.atlassian.com', prompt: 'consent' }),
  requestScopes: adding('offline_access'),
});

/** LinkedIn: credentials in the body; refresh tokens (for approved apps) come with refresh_token_expires_in. */
const linkedin = defineVendor({
  name: 'LinkedinOauth2',
  configMember: 'linkedinOauth2ProviderConfig',
  authorizationServer: fixed(
    {
      issuer: 'https://www.linkedin.com/oauth',
      authorizationEndpoint: 'https://www.linkedin.com/oauth/v2/authorization',
      tokenEndpoint: 'https://www.linkedin.com/oauth/v2/accessToken',
    },
    'client_secret_post',
  ),
  clientAuthentication: 'client_secret_post',
});

/** X (Twitter) OAuth 2.0: PKCE is mandatory, confidential clients authenticate with Basic; a refresh token only with offline.access. */
const x = defineVendor({
  name: 'XOauth2',
  authorizationServer: fixed(
    { authorizationEndpoint: 'https://twitter.com/i/oauth2/authorize', tokenEndpoint: 'https://api.x.com/2/oauth2/token' },
    'client_secret_basic',
  ),
  clientAuthentication: 'client_secret_basic',
  requestScopes: adding('offline.access'),
  requiresPkce: true,
});

/**
 * Facebook (Meta) login: unversioned endpoints (Meta routes them to the app's default Graph API
 * version, so they do not expire with a pinned version). No refresh tokens. Errors are Graph API
 * errors, `{error: {message, type, code, ...}}`: `type` becomes the error, `message` the description.
 */
const facebook = defineVendor({
  name: 'FacebookOauth2',
  authorizationServer: fixed(
    { authorizationEndpoint: 'https://www.facebook.com/dialog/oauth', tokenEndpoint: 'https://graph.facebook.com/oauth/access_token' },
    'client_secret_post',
  ),
  scopeSeparator: ',',
  clientAuthentication: 'client_secret_post',
  normalizeTokenResponse: (status, body, now) => {
    const json = bodyOf(body);
    if (isRecord(json.error)) return { error: text(json.error.type) ?? `http_${status}`, description: vendorText(json.error.message) };
    return standardTokenResponse(status, json, now);
  },
});

/** Yandex ID: standard RFC 6749 (credentials accepted in the body or as Basic). */
const yandex = defineVendor({
  name: 'YandexOauth2',
  authorizationServer: fixed({ authorizationEndpoint: 'https://oauth.yandex.com/authorize', tokenEndpoint: 'https://oauth.yandex.com/token' }, 'client_secret_post'),
  clientAuthentication: 'client_secret_post',
});

/**
 * Reddit: Basic client authentication only; `duration=permanent` for a refresh token; a descriptive
 * User-Agent or it throttles. Some errors come back as HTTP 200 `{error: "invalid_grant"}`, others as
 * `{message, error: 401}` (a number): the HTTP status then names the error.
 */
const reddit = defineVendor({
  name: 'RedditOauth2',
  authorizationServer: fixed(
    { authorizationEndpoint: 'https://www.reddit.com/api/v1/authorize', tokenEndpoint: 'https://www.reddit.com/api/v1/access_token' },
    'client_secret_basic',
  ),
  clientAuthentication: 'client_secret_basic',
  authorizationParameters: () => ({ duration: 'permanent' }),
  normalizeTokenResponse: (status, body, now) => {
    const json = bodyOf(body);
    if (!isSuccess(status) && text(json.error) === undefined) return { error: `http_${status}`, description: vendorText(json.message) };
    return standardTokenResponse(status, json, now);
  },
  tokenRequestHeaders: { 'User-Agent': 'agentcore-identity-selfhosted/0.1 (OAuth2 credential provider)' },
});

/** Zoom: the token endpoint requires Basic client authentication. */
const zoom = defineVendor({
  name: 'ZoomOauth2',
  authorizationServer: fixed({ authorizationEndpoint: 'https://zoom.us/oauth/authorize', tokenEndpoint: 'https://zoom.us/oauth/token' }, 'client_secret_basic'),
  clientAuthentication: 'client_secret_basic',
});

/**
 * Twitch: credentials in the body; `scope` in the answer is a JSON array; errors are
 * `{status, message}` without an `error` member (the HTTP status then names the error).
 */
const twitch = defineVendor({
  name: 'TwitchOauth2',
  authorizationServer: fixed({ authorizationEndpoint: 'https://id.twitch.tv/oauth2/authorize', tokenEndpoint: 'https://id.twitch.tv/oauth2/token' }, 'client_secret_post'),
  clientAuthentication: 'client_secret_post',
  normalizeTokenResponse: (status, body, now) => {
    const json = bodyOf(body);
    if (!isSuccess(status) && text(json.error) === undefined) return { error: `http_${status}`, description: vendorText(json.message) };
    return standardTokenResponse(status, json, now);
  },
});

/** Spotify: Basic client authentication (as its guide shows); a refresh may not return a new refresh token. */
const spotify = defineVendor({
  name: 'SpotifyOauth2',
  authorizationServer: fixed({ authorizationEndpoint: 'https://accounts.spotify.com/authorize', tokenEndpoint: 'https://accounts.spotify.com/api/token' }, 'client_secret_basic'),
  clientAuthentication: 'client_secret_basic',
});

/** Dropbox: short-lived tokens; a refresh token only with `token_access_type=offline`. Basic or body credentials both work. */
const dropbox = defineVendor({
  name: 'DropboxOauth2',
  authorizationServer: fixed({ authorizationEndpoint: 'https://www.dropbox.com/oauth2/authorize', tokenEndpoint: 'https://api.dropboxapi.com/oauth2/token' }, 'client_secret_basic'),
  clientAuthentication: 'client_secret_basic',
  authorizationParameters: () => ({ token_access_type: 'offline' }),
});

/**
 * Notion: Basic client authentication is required; `owner=user` is required on the authorization URL.
 * Notion has no OAuth scopes (capabilities are set on the integration). The answer carries workspace
 * and bot fields besides access_token, which are not needed to use the token and are ignored.
 */
const notion = defineVendor({
  name: 'NotionOauth2',
  authorizationServer: fixed({ authorizationEndpoint: 'https://api.notion.com/v1/oauth/authorize', tokenEndpoint: 'https://api.notion.com/v1/oauth/token' }, 'client_secret_basic'),
  clientAuthentication: 'client_secret_basic',
  authorizationParameters: () => ({ owner: 'user' }),
});

/**
 * HubSpot: credentials in the body; errors are `{status: "BAD_AUTH_CODE", message, correlationId}`
 * without an `error` member: `status` becomes the error, `message` the description.
 */
const hubspot = defineVendor({
  name: 'HubspotOauth2',
  authorizationServer: fixed({ authorizationEndpoint: 'https://app.hubspot.com/oauth/authorize', tokenEndpoint: 'https://api.hubapi.com/oauth/v1/token' }, 'client_secret_post'),
  clientAuthentication: 'client_secret_post',
  normalizeTokenResponse: (status, body, now) => {
    const json = bodyOf(body);
    if (text(json.error) === undefined && (!isSuccess(status) || text(json.access_token) === undefined) && text(json.status) !== undefined) {
      return { error: text(json.status)!, description: vendorText(json.message) };
    }
    return standardTokenResponse(status, json, now);
  },
});

/**
 * Okta: a custom authorization server's issuer is `https://{domain}/oauth2/{serverId}` and its
 * endpoints are `{issuer}/v1/authorize` and `{issuer}/v1/token`; the org authorization server's
 * issuer is `https://{domain}` and its endpoints are under `/oauth2/v1/`.
 */
const okta = defineVendor({
  name: 'OktaOauth2',
  authorizationServer: tenant((issuer, base) => {
    const prefix = issuer.pathname.replace(/\/+$/, '') === '' ? `${base}/oauth2/v1` : `${base}/v1`;
    return { authorizationEndpoint: `${prefix}/authorize`, tokenEndpoint: `${prefix}/token` };
  }, 'client_secret_basic'),
  clientAuthentication: 'client_secret_basic',
});

/** Auth0: issuer `https://{tenant}.auth0.com/` (or a custom domain); `/authorize` and `/oauth/token`. Regular web apps default to client_secret_post. */
const auth0 = defineVendor({
  name: 'Auth0Oauth2',
  authorizationServer: tenant(paths('/authorize', '/oauth/token'), 'client_secret_post'),
  clientAuthentication: 'client_secret_post',
});

/**
 * Amazon Cognito user pools: the OAuth endpoints live on the user pool's domain
 * (`https://{prefix}.auth.{region}.amazoncognito.com` or a custom domain): `/oauth2/authorize` and
 * `/oauth2/token`. The pool's token issuer (`https://cognito-idp.{region}.amazonaws.com/{poolId}`)
 * serves no OAuth endpoints and is refused as `issuer`, unless both endpoints are explicit.
 */
const cognito = defineVendor({
  name: 'CognitoOauth2',
  authorizationServer: tenant((issuer, base, field) => {
    if (/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/i.test(issuer.hostname)) {
      throw ValidationException.field(field, "must be the user pool's domain (https://<prefix>.auth.<region>.amazoncognito.com or a custom domain), or give authorizationEndpoint and tokenEndpoint");
    }
    return paths('/oauth2/authorize', '/oauth2/token')(issuer, base);
  }, 'client_secret_basic'),
  clientAuthentication: 'client_secret_basic',
});

/** OneLogin: issuer `https://{subdomain}.onelogin.com/oidc/2`; `{issuer}/auth` and `{issuer}/token`. Apps default to Basic. */
const onelogin = defineVendor({
  name: 'OneLoginOauth2',
  authorizationServer: tenant(paths('/auth', '/token'), 'client_secret_basic'),
  clientAuthentication: 'client_secret_basic',
});

/** PingOne: issuer `https://auth.pingone.{region}/{environmentId}/as`; `{issuer}/authorize` and `{issuer}/token`. Apps default to Basic. */
const pingone = defineVendor({
  name: 'PingOneOauth2',
  authorizationServer: tenant(paths('/authorize', '/token'), 'client_secret_basic'),
  clientAuthentication: 'client_secret_basic',
});

/**
 * CyberArk Identity: an OpenID Connect app's issuer is `https://{tenant}.id.cyberark.cloud/{appId}/`
 * and its endpoints are `https://{tenant}.id.cyberark.cloud/OAuth2/Authorize/{appId}` and
 * `.../OAuth2/Token/{appId}`. Unsure: this follows CyberArk's API reference for the `/OAuth2/*`
 * routes and the shape of the issuer in its discovery documents; an issuer without the application
 * id cannot name the endpoints and is refused (give authorizationEndpoint and tokenEndpoint then).
 */
const cyberark = defineVendor({
  name: 'CyberArkOauth2',
  authorizationServer: tenant((issuer, _base, field) => {
    const segments = issuer.pathname.split('/').filter(Boolean);
    if (segments.length !== 1) throw ValidationException.field(field, 'must be the OpenID Connect application issuer, https://<tenant>/<applicationId>/, or give authorizationEndpoint and tokenEndpoint');
    const appId = segments[0]!;
    return { authorizationEndpoint: `${issuer.origin}/OAuth2/Authorize/${appId}`, tokenEndpoint: `${issuer.origin}/OAuth2/Token/${appId}` };
  }, 'client_secret_basic'),
  clientAuthentication: 'client_secret_basic',
});

/** FusionAuth: `{issuer}/oauth2/authorize` and `{issuer}/oauth2/token` on the instance's URL. Basic is its default client authentication. */
const fusionauth = defineVendor({
  name: 'FusionAuthOauth2',
  authorizationServer: tenant(paths('/oauth2/authorize', '/oauth2/token'), 'client_secret_basic'),
  clientAuthentication: 'client_secret_basic',
});

const catalogue = new Map<VendorName, Vendor>(
  [
    custom, google, github, slack, salesforce, microsoft, atlassian, linkedin, x, okta, onelogin, pingone, facebook, yandex, reddit,
    zoom, twitch, spotify, dropbox, notion, hubspot, cyberark, fusionauth, auth0, cognito,
  ].map((vendor) => [vendor.name, Object.freeze(vendor)]),
);

/** Every vendor this deployment supports. */
export const VENDOR_NAMES: readonly VendorName[] = Object.freeze([...catalogue.keys()]);

/** The vendors whose endpoints depend on the customer's tenant (issuer and/or explicit endpoints in includedOauth2ProviderConfig). */
export const TENANT_VENDORS: readonly VendorName[] = Object.freeze([
  'OktaOauth2', 'Auth0Oauth2', 'CognitoOauth2', 'OneLoginOauth2', 'PingOneOauth2', 'CyberArkOauth2', 'FusionAuthOauth2',
] as VendorName[]);

export function vendorOf(name: VendorName): Vendor {
  const vendor = catalogue.get(name);
  if (!vendor) throw ValidationException.field('credentialProviderVendor', `${name} is not supported by this deployment`);
  return vendor;
}

export { requireUrl };
