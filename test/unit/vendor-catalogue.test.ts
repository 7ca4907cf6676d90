import { describe, expect, it } from 'vitest';
import { shapes } from '../../lib/contract/model.js';
import { ValidationException } from '../../lib/errors.js';
import { isTokenError } from '../../lib/oauth2/token-response.js';
import { VENDOR_DECLARATIONS } from '../../lib/oauth2/vendor-catalogue.js';
import type { ConfigMember, NormalizedToken, TokenError, VendorName } from '../../lib/oauth2/vendor-types.js';
import { vendorOf } from '../../lib/oauth2/vendors.js';
import { ALL_VENDORS, CONFIG_MEMBER } from '../setup/vendor-names.js';

/** The vendor catalogue as data: names, endpoints, scopes and parameters; no request leaves. Token responses from a live stub: test/integration/vendors.test.ts. */
const FIELD = 'oauth2ProviderConfigInput.includedOauth2ProviderConfig';
const NOW = 1_750_000_000_000;
const CLIENT_ID = 'client-id-123';

const ALL = ALL_VENDORS;

/** Vendors with public endpoints, and where they are. */
const FIXED: Partial<Record<VendorName, [authorize: string, token: string]>> = {
  GoogleOauth2: ['https://accounts.google.com/o/oauth2/v2/auth', 'https://oauth2.googleapis.com/token'],
  GithubOauth2: ['https://github.com/login/oauth/authorize', 'https://github.com/login/oauth/access_token'],
  SlackOauth2: ['https://slack.com/oauth/v2/authorize', 'https://slack.com/api/oauth.v2.access'],
  SalesforceOauth2: ['https://login.salesforce.com/services/oauth2/authorize', 'https://login.salesforce.com/services/oauth2/token'],
  AtlassianOauth2: ['https://auth.atlassian.com/authorize', 'https://auth.atlassian.com/oauth/token'],
  LinkedinOauth2: ['https://www.linkedin.com/oauth/v2/authorization', 'https://www.linkedin.com/oauth/v2/accessToken'],
  XOauth2: ['https://twitter.com/i/oauth2/authorize', 'https://api.x.com/2/oauth2/token'],
  FacebookOauth2: ['https://www.facebook.com/dialog/oauth', 'https://graph.facebook.com/oauth/access_token'],
  YandexOauth2: ['https://oauth.yandex.com/authorize', 'https://oauth.yandex.com/token'],
  RedditOauth2: ['https://www.reddit.com/api/v1/authorize', 'https://www.reddit.com/api/v1/access_token'],
  ZoomOauth2: ['https://zoom.us/oauth/authorize', 'https://zoom.us/oauth/token'],
  TwitchOauth2: ['https://id.twitch.tv/oauth2/authorize', 'https://id.twitch.tv/oauth2/token'],
  SpotifyOauth2: ['https://accounts.spotify.com/authorize', 'https://accounts.spotify.com/api/token'],
  DropboxOauth2: ['https://www.dropbox.com/oauth2/authorize', 'https://api.dropboxapi.com/oauth2/token'],
  NotionOauth2: ['https://api.notion.com/v1/oauth/authorize', 'https://api.notion.com/v1/oauth/token'],
  HubspotOauth2: ['https://app.hubspot.com/oauth/authorize', 'https://api.hubapi.com/oauth/v1/token'],
};

/** Tenant vendors: an issuer, and the endpoints that derive from it. */
const TENANT: Partial<Record<VendorName, [issuer: string, authorize: string, token: string]>> = {
  OktaOauth2: ['https://dev-1234.okta.com/oauth2/default', 'https://dev-1234.okta.com/oauth2/default/v1/authorize', 'https://dev-1234.okta.com/oauth2/default/v1/token'],
  Auth0Oauth2: ['https://acme.us.auth0.com/', 'https://acme.us.auth0.com/authorize', 'https://acme.us.auth0.com/oauth/token'],
  CognitoOauth2: [
    'https://acme.auth.us-east-1.amazoncognito.com',
    'https://acme.auth.us-east-1.amazoncognito.com/oauth2/authorize',
    'https://acme.auth.us-east-1.amazoncognito.com/oauth2/token',
  ],
  OneLoginOauth2: ['https://acme.onelogin.com/oidc/2', 'https://acme.onelogin.com/oidc/2/auth', 'https://acme.onelogin.com/oidc/2/token'],
  PingOneOauth2: [
    'https://auth.pingone.com/5a1b2c3d-0000-4000-8000-000000000000/as',
    'https://auth.pingone.com/5a1b2c3d-0000-4000-8000-000000000000/as/authorize',
    'https://auth.pingone.com/5a1b2c3d-0000-4000-8000-000000000000/as/token',
  ],
  CyberArkOauth2: ['https://abc1234.id.cyberark.cloud/agentapp/', 'https://abc1234.id.cyberark.cloud/OAuth2/Authorize/agentapp', 'https://abc1234.id.cyberark.cloud/OAuth2/Token/agentapp'],
  FusionAuthOauth2: ['https://auth.acme.example', 'https://auth.acme.example/oauth2/authorize', 'https://auth.acme.example/oauth2/token'],
};

function validationFields(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationException);
    return ((error as ValidationException).fieldList ?? []).map((f) => f.name);
  }
  throw new Error('expected a ValidationException');
}

function expectToken(result: NormalizedToken | TokenError): NormalizedToken {
  if (isTokenError(result)) throw new Error(`expected a token, got error ${result.error}`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// A local stub that answers token requests in each vendor's dialect
// ---------------------------------------------------------------------------------------------

describe('the vendor catalogue', () => {
  it('resolves every one of the 25 vendor names, each with its config member', () => {
    expect(ALL).toHaveLength(25);
    expect(Object.keys(VENDOR_DECLARATIONS).sort()).toEqual([...ALL].sort());
    for (const name of ALL) {
      const vendor = vendorOf(name);
      expect(vendor.name).toBe(name);
      expect(vendor.configMember).toBe(CONFIG_MEMBER[name] ?? 'includedOauth2ProviderConfig');
      expect(['client_secret_basic', 'client_secret_post']).toContain(vendor.clientAuthentication);
      expect([' ', ',']).toContain(vendor.scopeSeparator);
    }
  });

  it('refuses a vendor it does not know', () => {
    expect(validationFields(() => vendorOf('NopeOauth2' as VendorName))).toEqual(['credentialProviderVendor']);
  });

  it('declares scope separators and client authentication as the vendors document them', () => {
    const separators = Object.fromEntries(ALL.map((n) => [n, vendorOf(n).scopeSeparator]));
    expect(separators).toMatchObject({ SlackOauth2: ',', FacebookOauth2: ',', GithubOauth2: ' ', ZoomOauth2: ' ', GoogleOauth2: ' ', MicrosoftOauth2: ' ', RedditOauth2: ' ' });
    const auth = Object.fromEntries(ALL.map((n) => [n, vendorOf(n).clientAuthentication]));
    expect(auth).toMatchObject({
      GithubOauth2: 'client_secret_post',
      SlackOauth2: 'client_secret_post',
      FacebookOauth2: 'client_secret_post',
      SalesforceOauth2: 'client_secret_post',
      LinkedinOauth2: 'client_secret_post',
      MicrosoftOauth2: 'client_secret_post',
      GoogleOauth2: 'client_secret_post',
      TwitchOauth2: 'client_secret_post',
      HubspotOauth2: 'client_secret_post',
      NotionOauth2: 'client_secret_basic',
      XOauth2: 'client_secret_basic',
      RedditOauth2: 'client_secret_basic',
      SpotifyOauth2: 'client_secret_basic',
      ZoomOauth2: 'client_secret_basic',
    });
  });
});

describe('the vendor declarations', () => {
  // Every OAuth2 vendor the contract names; a vendor that only vends API keys would need none.
  const contractVendors = (shapes.CredentialProviderVendorType!.enum ?? []).filter((name) => name.endsWith('Oauth2')) as VendorName[];
  const declared = Object.keys(VENDOR_DECLARATIONS) as VendorName[];
  const inputMembers = (member: ConfigMember) => Object.keys(shapes[shapes.Oauth2ProviderConfigInput!.members![member]!.shape]!.members ?? {});

  it('declare every OAuth2 vendor of the contract, and no other', () => {
    expect(contractVendors.length).toBeGreaterThan(0);
    expect([...declared].sort()).toEqual([...contractVendors].sort());
  });

  it.each(contractVendors)('%s is declared completely', (name) => {
    const declaration = VENDOR_DECLARATIONS[name];
    const member = declaration.configMember ?? 'includedOauth2ProviderConfig';
    expect(Object.keys(shapes.Oauth2ProviderConfigInput!.members!)).toContain(member);
    expect(['client_secret_basic', 'client_secret_post']).toContain(declaration.clientAuthentication);
    const { endpoints } = declaration;
    // The setting that places the endpoints is one the vendor's input member can carry.
    if (endpoints.from === 'public') {
      for (const url of [endpoints.authorizationEndpoint, endpoints.tokenEndpoint, ...(endpoints.issuer ? [endpoints.issuer] : [])]) expect(new URL(url).protocol).toBe('https:');
    } else if (endpoints.from === 'tenantId') {
      expect(inputMembers(member)).toContain('tenantId');
      expect(endpoints.default).toMatch(endpoints.pattern);
      for (const url of [endpoints.issuer, endpoints.authorizationEndpoint, endpoints.tokenEndpoint]) expect(url).toMatch(/^https:\/\/[^{}/]+\/.*\{tenantId\}/);
    } else if (endpoints.from === 'issuer') {
      expect(inputMembers(member)).toEqual(expect.arrayContaining(['issuer', 'authorizationEndpoint', 'tokenEndpoint']));
      for (const url of [endpoints.authorizationEndpoint, endpoints.tokenEndpoint, ...Object.values(endpoints.bareDomain ?? {})]) expect(url).toMatch(/^\{(issuer|origin)\}\//);
      if (endpoints.refusedHosts !== undefined || endpoints.pathSegments !== undefined) expect(endpoints.requirement).toBeTruthy();
    } else {
      expect(member).toBe('customOauth2ProviderConfig');
    }
    for (const [key, value] of Object.entries(declaration.authorizationParameters ?? {})) expect([key, value]).toEqual([expect.stringMatching(/^\w+$/), expect.any(String)]);
    // It builds, and reads a plain RFC 6749 answer whatever its dialect.
    const vendor = vendorOf(name);
    expect(vendor.name).toBe(name);
    expect(expectToken(vendor.normalizeTokenResponse(200, { access_token: 'a', token_type: 'bearer', expires_in: 60 }, NOW))).toMatchObject({ accessToken: 'a', expiresAt: NOW + 60_000 });
  });
});

describe('authorization servers', () => {
  const fixedNames = Object.keys(FIXED) as VendorName[];

  it.each(fixedNames)('%s has fixed https endpoints and ignores issuer/endpoint input', (name) => {
    const vendor = vendorOf(name);
    const [authorize, token] = FIXED[name]!;
    const server = vendor.authorizationServer({ clientId: CLIENT_ID }, FIELD);
    expect(server.authorizationEndpoint).toBe(authorize);
    expect(server.tokenEndpoint).toBe(token);
    for (const url of [server.authorizationEndpoint, server.tokenEndpoint, ...(server.issuer ? [server.issuer] : [])]) expect(new URL(url).protocol).toBe('https:');
    const attempted = vendor.authorizationServer({ clientId: CLIENT_ID, issuer: 'https://evil.example', authorizationEndpoint: 'https://evil.example/a', tokenEndpoint: 'http://evil.example/t' }, FIELD);
    expect(attempted).toEqual(server);
  });

  it('covers every vendor as fixed, tenant, Microsoft or Custom', () => {
    const covered = new Set([...Object.keys(FIXED), ...Object.keys(TENANT), 'MicrosoftOauth2', 'CustomOauth2']);
    expect([...covered].sort()).toEqual([...ALL].sort());
    const tenantVendors = ALL.filter((name) => VENDOR_DECLARATIONS[name].endpoints.from === 'issuer');
    expect(tenantVendors.sort()).toEqual(Object.keys(TENANT).sort());
  });

  const tenantNames = Object.keys(TENANT) as VendorName[];

  it.each(tenantNames)('%s derives its endpoints from the issuer', (name) => {
    const [issuer, authorize, token] = TENANT[name]!;
    const server = vendorOf(name).authorizationServer({ clientId: CLIENT_ID, issuer }, FIELD);
    expect(server).toMatchObject({ issuer, authorizationEndpoint: authorize, tokenEndpoint: token });
  });

  it.each(tenantNames)('%s prefers explicit endpoints over the issuer', (name) => {
    const [issuer] = TENANT[name]!;
    const explicit = { authorizationEndpoint: 'https://login.acme.example/custom/authorize', tokenEndpoint: 'https://login.acme.example/custom/token' };
    expect(vendorOf(name).authorizationServer({ clientId: CLIENT_ID, issuer, ...explicit }, FIELD)).toMatchObject({ issuer, ...explicit });
    // Explicit endpoints alone are enough.
    expect(vendorOf(name).authorizationServer({ clientId: CLIENT_ID, ...explicit }, FIELD)).toMatchObject(explicit);
  });

  it.each(tenantNames)('%s refuses input with neither issuer nor endpoints, naming the issuer field', (name) => {
    const vendor = vendorOf(name);
    expect(validationFields(() => vendor.authorizationServer({ clientId: CLIENT_ID }, FIELD))).toEqual([`${FIELD}.issuer`]);
    // One endpoint is not enough without an issuer.
    expect(validationFields(() => vendor.authorizationServer({ clientId: CLIENT_ID, tokenEndpoint: 'https://login.acme.example/token' }, FIELD))).toEqual([`${FIELD}.issuer`]);
  });

  it.each(tenantNames)('%s accepts only https (or loopback http) URLs', (name) => {
    const vendor = vendorOf(name);
    expect(validationFields(() => vendor.authorizationServer({ issuer: 'http://idp.acme.example/x' }, FIELD))).toEqual([`${FIELD}.issuer`]);
    expect(validationFields(() => vendor.authorizationServer({ issuer: 'not a url' }, FIELD))).toEqual([`${FIELD}.issuer`]);
    expect(validationFields(() => vendor.authorizationServer({ issuer: 'https://idp.acme.example/x?tenant=1' }, FIELD))).toEqual([`${FIELD}.issuer`]);
    expect(
      validationFields(() => vendor.authorizationServer({ authorizationEndpoint: 'http://idp.acme.example/a', tokenEndpoint: 'https://idp.acme.example/t' }, FIELD)),
    ).toEqual([`${FIELD}.authorizationEndpoint`]);
    const loopback = vendor.authorizationServer({ authorizationEndpoint: `http://127.0.0.1:9/authorize`, tokenEndpoint: `http://localhost:9/token` }, FIELD);
    expect(loopback.tokenEndpoint).toBe('http://localhost:9/token');
  });

  it("uses Okta's org authorization server paths for a bare Okta domain", () => {
    expect(vendorOf('OktaOauth2').authorizationServer({ issuer: 'https://acme.okta.com' }, FIELD)).toMatchObject({
      authorizationEndpoint: 'https://acme.okta.com/oauth2/v1/authorize',
      tokenEndpoint: 'https://acme.okta.com/oauth2/v1/token',
    });
  });

  it("refuses a Cognito user pool's token issuer, which serves no OAuth endpoints", () => {
    expect(validationFields(() => vendorOf('CognitoOauth2').authorizationServer({ issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123' }, FIELD))).toEqual([
      `${FIELD}.issuer`,
    ]);
  });

  it('refuses a CyberArk issuer without the application id', () => {
    expect(validationFields(() => vendorOf('CyberArkOauth2').authorizationServer({ issuer: 'https://abc1234.id.cyberark.cloud' }, FIELD))).toEqual([`${FIELD}.issuer`]);
  });

  it('puts the Microsoft tenant in every endpoint, common by default', () => {
    const microsoft = vendorOf('MicrosoftOauth2');
    const field = 'oauth2ProviderConfigInput.microsoftOauth2ProviderConfig';
    expect(microsoft.authorizationServer({ clientId: CLIENT_ID, tenantId: 'contoso.onmicrosoft.com' }, field)).toMatchObject({
      issuer: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
      authorizationEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
      tokenEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    });
    const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    expect(microsoft.authorizationServer({ tenantId }, field).tokenEndpoint).toBe(`https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`);
    expect(microsoft.authorizationServer({ clientId: CLIENT_ID }, field)).toMatchObject({
      authorizationEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
      tokenEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    });
    // The tenant cannot reshape the URL.
    for (const bad of ['../evil', 'a/b', 'x?y', 'evil.example#']) expect(validationFields(() => microsoft.authorizationServer({ tenantId: bad }, field))).toEqual([`${field}.tenantId`]);
  });

  it('keeps CustomOauth2 on the endpoints it is given', () => {
    const field = 'oauth2ProviderConfigInput.customOauth2ProviderConfig';
    expect(vendorOf('CustomOauth2').authorizationServer({ issuer: 'https://idp.example', authorizationEndpoint: 'https://idp.example/a', tokenEndpoint: 'https://idp.example/t' }, field)).toMatchObject({
      authorizationEndpoint: 'https://idp.example/a',
      tokenEndpoint: 'https://idp.example/t',
    });
    expect(validationFields(() => vendorOf('CustomOauth2').authorizationServer({}, field))).toEqual([`${field}.authorizationEndpoint`]);
  });
});

describe('scopes and authorization parameters', () => {
  it('asks Google for offline access with a consent prompt', () => {
    const google = vendorOf('GoogleOauth2');
    expect(google.authorizationParameters(['openid', 'https://www.googleapis.com/auth/drive.readonly'])).toEqual({ access_type: 'offline', prompt: 'consent' });
    expect(google.requestScopes(['openid', 'email'])).toEqual(['openid', 'email']);
  });

  it('adds offline_access for Microsoft, once', () => {
    const microsoft = vendorOf('MicrosoftOauth2');
    expect(microsoft.requestScopes(['User.Read', 'Mail.Read'])).toEqual(['User.Read', 'Mail.Read', 'offline_access']);
    expect(microsoft.requestScopes(['offline_access', 'User.Read'])).toEqual(['offline_access', 'User.Read']);
    expect(microsoft.requestScopes([])).toEqual(['offline_access']);
  });

  it('asks the other vendors for refresh tokens their own way', () => {
    expect(vendorOf('DropboxOauth2').authorizationParameters([])).toEqual({ token_access_type: 'offline' });
    expect(vendorOf('RedditOauth2').authorizationParameters(['identity'])).toEqual({ duration: 'permanent' });
    expect(vendorOf('NotionOauth2').authorizationParameters([])).toEqual({ owner: 'user' });
    expect(vendorOf('AtlassianOauth2').authorizationParameters(['read:jira-work'])).toEqual({ audience: 'api.atlassian.com', prompt: 'consent' });
    expect(vendorOf('AtlassianOauth2').requestScopes(['read:jira-work'])).toEqual(['read:jira-work', 'offline_access']);
    expect(vendorOf('XOauth2').requestScopes(['tweet.read', 'users.read'])).toEqual(['tweet.read', 'users.read', 'offline.access']);
    for (const name of ['ZoomOauth2', 'TwitchOauth2', 'SpotifyOauth2', 'GithubOauth2'] as VendorName[]) {
      expect(vendorOf(name).authorizationParameters(['a', 'b'])).toEqual({});
      expect(vendorOf(name).requestScopes(['a', 'b'])).toEqual(['a', 'b']);
    }
  });

  it('sends Slack user scopes as user_scope and bot scopes as scope', () => {
    const slack = vendorOf('SlackOauth2');
    const asked = ['chat:write', 'users:read', 'user:search:read', 'user:chat:write'];
    expect(slack.requestScopes(asked).join(slack.scopeSeparator)).toBe('chat:write,users:read');
    expect(slack.authorizationParameters(asked)).toEqual({ user_scope: 'search:read,chat:write' });
    expect(slack.authorizationParameters(['chat:write'])).toEqual({});
  });
});
