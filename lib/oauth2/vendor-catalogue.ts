import type { VendorDeclaration, VendorName } from './vendor-types.js';

/**
 * The vendor catalogue: for every credentialProviderVendor, where its endpoints are (or which
 * setting of the provider's input names them), how it wants scopes and client credentials, what
 * its authorization URLs need, and which dialect its token responses speak. Data only, each fact
 * once; lib/oauth2/vendors.ts turns a declaration into the behaviour the flows call.
 */
export const VENDOR_DECLARATIONS: Readonly<Record<VendorName, VendorDeclaration>> = {
  /**
   * CustomOauth2: endpoints come from the provider's oauthDiscovery (resolved by the caller, which
   * fetches a discoveryUrl at create). The caller also picks the client authentication from the
   * input's clientAuthenticationMethod; Basic is the contract's default.
   */
  CustomOauth2: {
    configMember: 'customOauth2ProviderConfig',
    clientAuthentication: 'client_secret_basic',
    endpoints: { from: 'discovery' },
  },

  /** Google: a refresh token only with access_type=offline, and only on a consent screen (prompt=consent) after the first grant. */
  GoogleOauth2: {
    configMember: 'googleOauth2ProviderConfig',
    clientAuthentication: 'client_secret_post',
    endpoints: {
      from: 'public',
      issuer: 'https://accounts.google.com',
      authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenEndpoint: 'https://oauth2.googleapis.com/token',
    },
    authorizationParameters: { access_type: 'offline', prompt: 'consent' },
    revocationEndpoint: 'https://oauth2.googleapis.com/revoke',
  },

  /**
   * GitHub (OAuth apps and GitHub apps): errors come back with HTTP 200 and `{error,
   * error_description, error_uri}`; the answer is form-encoded unless the request says `Accept:
   * application/json` (both read as RFC 6749); tokens have no lifetime unless the app opted into
   * expiring user tokens (then expires_in, refresh_token and refresh_token_expires_in). Granted
   * scopes come back comma-separated ("repo,gist"), empty for GitHub apps.
   */
  GithubOauth2: {
    configMember: 'githubOauth2ProviderConfig',
    clientAuthentication: 'client_secret_post',
    endpoints: { from: 'public', issuer: 'https://github.com', authorizationEndpoint: 'https://github.com/login/oauth/authorize', tokenEndpoint: 'https://github.com/login/oauth/access_token' },
    tokenRequestHeaders: { Accept: 'application/json' },
  },

  /**
   * Slack (OAuth v2): HTTP 200 with `{ok:false, error}` on failure; a user token under
   * `authed_user`. User scopes (a user token, as opposed to the bot token that `scope` asks for)
   * are given as scopes prefixed `user:`: `user:search:read` is sent as `user_scope=search:read`.
   * No Slack scope name starts with `user:` (they are `users:read`, `usergroups:read`, ...), so the
   * prefix cannot clash.
   */
  SlackOauth2: {
    configMember: 'slackOauth2ProviderConfig',
    clientAuthentication: 'client_secret_post',
    endpoints: { from: 'public', issuer: 'https://slack.com', authorizationEndpoint: 'https://slack.com/oauth/v2/authorize', tokenEndpoint: 'https://slack.com/api/oauth.v2.access' },
    scopeSeparator: ',',
    userScopes: { prefix: 'user:', parameter: 'user_scope' },
    tokenResponse: { dialect: 'slack-v2' },
  },

  /**
   * Salesforce: `instance_url` (the org's API host, needed to use the token) comes with the token;
   * there is no `expires_in` (the session lifetime is an org setting). Production and developer
   * orgs log in at login.salesforce.com (sandboxes and My Domain logins are not reachable from this vendor).
   */
  SalesforceOauth2: {
    configMember: 'salesforceOauth2ProviderConfig',
    clientAuthentication: 'client_secret_post',
    endpoints: {
      from: 'public',
      issuer: 'https://login.salesforce.com',
      authorizationEndpoint: 'https://login.salesforce.com/services/oauth2/authorize',
      tokenEndpoint: 'https://login.salesforce.com/services/oauth2/token',
    },
    tokenResponse: { extras: ['instance_url'] },
    revocationEndpoint: 'https://login.salesforce.com/services/oauth2/revoke',
  },

  /** Microsoft identity platform v2.0: the tenant is part of every endpoint; a refresh token only with offline_access. */
  MicrosoftOauth2: {
    configMember: 'microsoftOauth2ProviderConfig',
    clientAuthentication: 'client_secret_post',
    endpoints: {
      from: 'tenantId',
      issuer: 'https://login.microsoftonline.com/{tenantId}/v2.0',
      authorizationEndpoint: 'https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/authorize',
      tokenEndpoint: 'https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token',
      default: 'common',
      // A tenant id, a verified domain, or common / organizations / consumers: one path segment.
      pattern: /^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/,
      requirement: 'must be a tenant ID, a domain name, common, organizations or consumers',
    },
    refreshScope: 'offline_access',
  },

  /** Atlassian (3LO): `audience=api.atlassian.com` and `prompt=consent` are required; a refresh token only with offline_access. */
  AtlassianOauth2: {
    configMember: 'atlassianOauth2ProviderConfig',
    clientAuthentication: 'client_secret_post',
    endpoints: { from: 'public', issuer: 'https://auth.atlassian.com', authorizationEndpoint: 'https://auth.atlassian.com/authorize', tokenEndpoint: 'https://auth.atlassian.com/oauth/token' },
    authorizationParameters: { audience: 'api.atlassian.com', prompt: 'consent' },
    refreshScope: 'offline_access',
  },

  /** LinkedIn: credentials in the body; refresh tokens (for approved apps) come with refresh_token_expires_in. */
  LinkedinOauth2: {
    configMember: 'linkedinOauth2ProviderConfig',
    clientAuthentication: 'client_secret_post',
    endpoints: {
      from: 'public',
      issuer: 'https://www.linkedin.com/oauth',
      authorizationEndpoint: 'https://www.linkedin.com/oauth/v2/authorization',
      tokenEndpoint: 'https://www.linkedin.com/oauth/v2/accessToken',
    },
  },

  /**
   * X (Twitter) OAuth 2.0: confidential clients authenticate with Basic; a refresh token only with
   * offline.access. X refuses an authorization code flow without PKCE, which every flow sends.
   */
  XOauth2: {
    clientAuthentication: 'client_secret_basic',
    endpoints: { from: 'public', authorizationEndpoint: 'https://twitter.com/i/oauth2/authorize', tokenEndpoint: 'https://api.x.com/2/oauth2/token' },
    refreshScope: 'offline.access',
  },

  /**
   * Facebook (Meta) login: unversioned endpoints (Meta routes them to the app's default Graph API
   * version, so they do not expire with a pinned version). No refresh tokens. Errors are Graph API
   * error objects.
   */
  FacebookOauth2: {
    clientAuthentication: 'client_secret_post',
    endpoints: { from: 'public', authorizationEndpoint: 'https://www.facebook.com/dialog/oauth', tokenEndpoint: 'https://graph.facebook.com/oauth/access_token' },
    scopeSeparator: ',',
    tokenResponse: { dialect: 'graph-api-error' },
  },

  /** Yandex ID: standard RFC 6749 (credentials accepted in the body or as Basic). */
  YandexOauth2: {
    clientAuthentication: 'client_secret_post',
    endpoints: { from: 'public', authorizationEndpoint: 'https://oauth.yandex.com/authorize', tokenEndpoint: 'https://oauth.yandex.com/token' },
  },

  /**
   * Reddit: Basic client authentication only; `duration=permanent` for a refresh token; a
   * descriptive User-Agent or it throttles. Some errors come back as HTTP 200 `{error:
   * "invalid_grant"}`, others as `{message, error: 401}` (a number).
   */
  RedditOauth2: {
    clientAuthentication: 'client_secret_basic',
    endpoints: { from: 'public', authorizationEndpoint: 'https://www.reddit.com/api/v1/authorize', tokenEndpoint: 'https://www.reddit.com/api/v1/access_token' },
    authorizationParameters: { duration: 'permanent' },
    tokenResponse: { dialect: 'message-error' },
    tokenRequestHeaders: { 'User-Agent': 'agentcore-identity-selfhosted/0.1 (OAuth2 credential provider)' },
    revocationEndpoint: 'https://www.reddit.com/api/v1/revoke_token',
  },

  /** Zoom: the token endpoint requires Basic client authentication. */
  ZoomOauth2: {
    clientAuthentication: 'client_secret_basic',
    endpoints: { from: 'public', authorizationEndpoint: 'https://zoom.us/oauth/authorize', tokenEndpoint: 'https://zoom.us/oauth/token' },
    revocationEndpoint: 'https://zoom.us/oauth/revoke',
  },

  /** Twitch: credentials in the body; `scope` in the answer is a JSON array; errors are `{status, message}` without an `error` member. */
  TwitchOauth2: {
    clientAuthentication: 'client_secret_post',
    endpoints: { from: 'public', authorizationEndpoint: 'https://id.twitch.tv/oauth2/authorize', tokenEndpoint: 'https://id.twitch.tv/oauth2/token' },
    tokenResponse: { dialect: 'message-error' },
  },

  /** Spotify: Basic client authentication (as its guide shows); a refresh may not return a new refresh token. */
  SpotifyOauth2: {
    clientAuthentication: 'client_secret_basic',
    endpoints: { from: 'public', authorizationEndpoint: 'https://accounts.spotify.com/authorize', tokenEndpoint: 'https://accounts.spotify.com/api/token' },
  },

  /** Dropbox: short-lived tokens; a refresh token only with `token_access_type=offline`. Basic or body credentials both work. */
  DropboxOauth2: {
    clientAuthentication: 'client_secret_basic',
    endpoints: { from: 'public', authorizationEndpoint: 'https://www.dropbox.com/oauth2/authorize', tokenEndpoint: 'https://api.dropboxapi.com/oauth2/token' },
    authorizationParameters: { token_access_type: 'offline' },
  },

  /**
   * Notion: Basic client authentication is required; `owner=user` is required on the authorization
   * URL. Notion has no OAuth scopes (capabilities are set on the integration). The answer carries
   * workspace and bot fields besides access_token, which are not needed to use the token and are ignored.
   */
  NotionOauth2: {
    clientAuthentication: 'client_secret_basic',
    endpoints: { from: 'public', authorizationEndpoint: 'https://api.notion.com/v1/oauth/authorize', tokenEndpoint: 'https://api.notion.com/v1/oauth/token' },
    authorizationParameters: { owner: 'user' },
  },

  /** HubSpot: credentials in the body; errors are `{status: "BAD_AUTH_CODE", message, correlationId}` without an `error` member. */
  HubspotOauth2: {
    clientAuthentication: 'client_secret_post',
    endpoints: { from: 'public', authorizationEndpoint: 'https://app.hubspot.com/oauth/authorize', tokenEndpoint: 'https://api.hubapi.com/oauth/v1/token' },
    tokenResponse: { dialect: 'status-error' },
  },

  /**
   * Okta: a custom authorization server's issuer is `https://{domain}/oauth2/{serverId}` and its
   * endpoints are `{issuer}/v1/authorize` and `{issuer}/v1/token`; the org authorization server's
   * issuer is `https://{domain}` and its endpoints are under `/oauth2/v1/`.
   */
  OktaOauth2: {
    clientAuthentication: 'client_secret_basic',
    endpoints: {
      from: 'issuer',
      authorizationEndpoint: '{issuer}/v1/authorize',
      tokenEndpoint: '{issuer}/v1/token',
      bareDomain: { authorizationEndpoint: '{issuer}/oauth2/v1/authorize', tokenEndpoint: '{issuer}/oauth2/v1/token' },
    },
  },

  /** OneLogin: issuer `https://{subdomain}.onelogin.com/oidc/2`. Apps default to Basic. */
  OneLoginOauth2: {
    clientAuthentication: 'client_secret_basic',
    endpoints: { from: 'issuer', authorizationEndpoint: '{issuer}/auth', tokenEndpoint: '{issuer}/token' },
  },

  /** PingOne: issuer `https://auth.pingone.{region}/{environmentId}/as`. Apps default to Basic. */
  PingOneOauth2: {
    clientAuthentication: 'client_secret_basic',
    endpoints: { from: 'issuer', authorizationEndpoint: '{issuer}/authorize', tokenEndpoint: '{issuer}/token' },
  },

  /**
   * CyberArk Identity: an OpenID Connect app's issuer is `https://{tenant}.id.cyberark.cloud/{appId}/`
   * and its endpoints are `https://{tenant}.id.cyberark.cloud/OAuth2/Authorize/{appId}` and
   * `.../OAuth2/Token/{appId}`. Unsure: this follows CyberArk's API reference for the `/OAuth2/*`
   * routes and the shape of the issuer in its discovery documents; an issuer without the application
   * id cannot name the endpoints and is refused (give authorizationEndpoint and tokenEndpoint then).
   */
  CyberArkOauth2: {
    clientAuthentication: 'client_secret_basic',
    endpoints: {
      from: 'issuer',
      authorizationEndpoint: '{origin}/OAuth2/Authorize/{path}',
      tokenEndpoint: '{origin}/OAuth2/Token/{path}',
      pathSegments: 1,
      requirement: 'must be the OpenID Connect application issuer, https://<tenant>/<applicationId>/, or give authorizationEndpoint and tokenEndpoint',
    },
  },

  /** FusionAuth: endpoints on the instance's URL. Basic is its default client authentication. */
  FusionAuthOauth2: {
    clientAuthentication: 'client_secret_basic',
    endpoints: { from: 'issuer', authorizationEndpoint: '{issuer}/oauth2/authorize', tokenEndpoint: '{issuer}/oauth2/token' },
  },

  /** Auth0: issuer `https://{tenant}.auth0.com/` (or a custom domain). Regular web apps default to client_secret_post. */
  Auth0Oauth2: {
    clientAuthentication: 'client_secret_post',
    endpoints: { from: 'issuer', authorizationEndpoint: '{issuer}/authorize', tokenEndpoint: '{issuer}/oauth/token' },
  },

  /**
   * Amazon Cognito user pools: the OAuth endpoints live on the user pool's domain
   * (`https://{prefix}.auth.{region}.amazoncognito.com` or a custom domain). The pool's token issuer
   * (`https://cognito-idp.{region}.amazonaws.com/{poolId}`) serves no OAuth endpoints and is refused
   * as `issuer`, unless both endpoints are explicit.
   */
  CognitoOauth2: {
    clientAuthentication: 'client_secret_basic',
    endpoints: {
      from: 'issuer',
      authorizationEndpoint: '{issuer}/oauth2/authorize',
      tokenEndpoint: '{issuer}/oauth2/token',
      refusedHosts: /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/i,
      requirement: "must be the user pool's domain (https://<prefix>.auth.<region>.amazoncognito.com or a custom domain), or give authorizationEndpoint and tokenEndpoint",
    },
  },
};
