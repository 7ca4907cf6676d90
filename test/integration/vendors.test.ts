import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTokenError, standardTokenResponse } from '../../lib/oauth2/token-response.js';
import type { NormalizedToken, TokenError, Vendor, VendorName } from '../../lib/oauth2/vendor-types.js';
import { tokenRequestHeadersOf, vendorOf } from '../../lib/oauth2/vendors.js';
import { ALL_VENDORS } from '../setup/vendor-names.js';

const NOW = 1_750_000_000_000;
const CLIENT_ID = 'client-id-123';
const CLIENT_SECRET = 'client-secret-never-echoed-9f8e7d';

const ALL = ALL_VENDORS;

function expectToken(result: NormalizedToken | TokenError): NormalizedToken {
  if (isTokenError(result)) throw new Error(`expected a token, got error ${result.error}`);
  return result;
}

function expectError(result: NormalizedToken | TokenError): TokenError {
  if (!isTokenError(result)) throw new Error('expected a token error');
  return result;
}

// ---------------------------------------------------------------------------------------------
// A local stub that answers token requests in each vendor's dialect
// ---------------------------------------------------------------------------------------------

interface StubRequest {
  form: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Client credentials, from Basic or from the body, whichever the request used. */
  basic?: [string, string];
}

type StubAnswer = { status?: number; json?: unknown; text?: string; contentType?: string };

function basicOf(req: IncomingMessage): [string, string] | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
  return [decodeURIComponent(id ?? ''), decodeURIComponent(secret ?? '')];
}

const requireBasic = (answer: (r: StubRequest) => StubAnswer) => (r: StubRequest): StubAnswer =>
  r.basic?.[0] === CLIENT_ID && r.basic[1] === CLIENT_SECRET && !r.form.has('client_secret')
    ? answer(r)
    : { status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed' } };

const requireBody = (answer: (r: StubRequest) => StubAnswer) => (r: StubRequest): StubAnswer =>
  r.form.get('client_id') === CLIENT_ID && r.form.get('client_secret') === CLIENT_SECRET
    ? answer(r)
    : { status: 401, json: { error: 'invalid_client' } };

const ROUTES: Record<string, (r: StubRequest) => StubAnswer> = {
  // GitHub: 200 for errors; form-encoded unless Accept: application/json; no expiry by default.
  '/github/login/oauth/access_token': requireBody((r) => {
    const code = r.form.get('code');
    const json =
      code === 'good'
        ? { access_token: 'gho_16C7e42F292c6912E7710c838347Ae178B4a', token_type: 'bearer', scope: 'repo,gist' }
        : code === 'expiring'
          ? { access_token: 'ghu_expiringUserToken', expires_in: 28800, refresh_token: 'ghr_refreshToken', refresh_token_expires_in: 15897600, scope: '', token_type: 'bearer' }
          : {
              error: 'bad_verification_code',
              error_description: 'The code passed is incorrect or expired.',
              error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
            };
    if (r.headers.accept?.includes('application/json')) return { json };
    return { text: new URLSearchParams(Object.entries(json).map(([k, v]) => [k, String(v)])).toString(), contentType: 'application/x-www-form-urlencoded; charset=utf-8' };
  }),
  // Slack oauth.v2.access.
  '/slack/api/oauth.v2.access': requireBody((r) => {
    switch (r.form.get('code')) {
      case 'bot':
        return {
          json: {
            ok: true,
            access_token: 'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy',
            token_type: 'bot',
            scope: 'commands,incoming-webhook,chat:write',
            bot_user_id: 'U0KRQLJ9H',
            app_id: 'A0KRD7HC3',
            team: { name: 'Slack Softball Team', id: 'T9TK3CUKW' },
            enterprise: { name: 'slack-sports', id: 'E12345678' },
            authed_user: { id: 'U1234' },
          },
        };
      case 'user':
        return {
          json: {
            ok: true,
            app_id: 'A0KRD7HC3',
            authed_user: {
              id: 'U1234',
              scope: 'search:read,chat:write',
              access_token: 'xoxp-1234-user-token',
              token_type: 'user',
              refresh_token: 'xoxe-1-user-refresh',
              expires_in: 43200,
            },
            team: { id: 'T9TK3CUKW' },
            enterprise: null,
            is_enterprise_install: false,
          },
        };
      default:
        return { json: { ok: false, error: 'invalid_code' } };
    }
  }),
  // Salesforce: instance_url, no expires_in; HTTP 400 for errors.
  '/salesforce/services/oauth2/token': requireBody((r) =>
    r.form.get('code') === 'good'
      ? {
          json: {
            access_token: '00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog',
            refresh_token: '5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrUdwkJUf6NLUWFVsAhTGwbkyLIbZVhBDnvZIwX0oT32q48G0ke',
            signature: 'SSSbLO/gBhmmyNUvN18ODBDFYHzakxOMgqYtu+hDPsc=',
            scope: 'refresh_token api id',
            instance_url: 'https://acme.my.salesforce.com',
            id: 'https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001Sv6AAAS',
            token_type: 'Bearer',
            issued_at: '1278448101416',
          },
        }
      : { status: 400, json: { error: 'invalid_grant', error_description: 'expired authorization code' } },
  ),
  // Spotify: standard, Basic client authentication.
  '/spotify/api/token': requireBasic((r) =>
    r.form.get('code') === 'good'
      ? { json: { access_token: 'BQDspotifyAccess', token_type: 'Bearer', scope: 'user-read-private user-read-email', expires_in: 3600, refresh_token: 'AQCspotifyRefresh' } }
      : { status: 400, json: { error: 'invalid_grant', error_description: 'Invalid authorization code' } },
  ),
  // Microsoft identity platform v2.0.
  '/microsoft/oauth2/v2.0/token': requireBody(() => ({
    json: { token_type: 'Bearer', scope: 'User.Read offline_access', expires_in: 3599, ext_expires_in: 3599, access_token: 'eyJ0eXAiOiJKV1Qi.ms.access', refresh_token: 'M.R3_BAY.ms-refresh' },
  })),
  // Twitch: scope is an array; errors are {status, message}.
  '/twitch/oauth2/token': requireBody((r) =>
    r.form.get('code') === 'good'
      ? { json: { access_token: 'rfx2uswqe8l4g1mkagrvg5tv0ks3', expires_in: 14124, refresh_token: '5b93chm6hdve3mycz05zfzatkfdenfspp1h1ar2xxdalen01', scope: ['channel:moderate', 'chat:read'], token_type: 'bearer' } }
      : { status: 400, json: { status: 400, message: 'Invalid authorization code' } },
  ),
  // Facebook: Graph API error objects.
  '/facebook/oauth/access_token': requireBody((r) =>
    r.form.get('code') === 'good'
      ? { json: { access_token: 'EAAGfacebookToken', token_type: 'bearer', expires_in: 5183944 } }
      : { status: 400, json: { error: { message: 'This authorization code has expired.', type: 'OAuthException', code: 100, fbtrace_id: 'A1b2C3' } } },
  ),
  // HubSpot: {status, message, correlationId} errors.
  '/hubspot/oauth/v1/token': requireBody((r) =>
    r.form.get('code') === 'good'
      ? { json: { token_type: 'bearer', refresh_token: 'hubspot-refresh', access_token: 'hubspot-access', expires_in: 1800 } }
      : { status: 400, json: { status: 'BAD_AUTH_CODE', message: 'missing or unknown auth code', correlationId: '7f6c1d6e-0000-4000-8000-000000000000' } },
  ),
  // Notion: Basic; extra workspace fields.
  '/notion/v1/oauth/token': requireBasic(() => ({
    json: {
      access_token: 'secret_notionIntegrationToken',
      token_type: 'bearer',
      bot_id: 'b3414d659-1224-5ty7-6ffr-cc9d8773drt6',
      workspace_name: 'Acme',
      workspace_icon: 'https://example.com/icon.png',
      workspace_id: 'j565j4d7x3-2882-61bs-564a-jj9d9ui-c36hxfr7x',
      owner: { type: 'user', user: { object: 'user', id: '4a2b' } },
      duplicated_template_id: null,
      request_id: 'f0b6c2f1',
    },
  })),
  // Reddit: Basic; a 200 error and a 401 with a numeric error.
  '/reddit/api/v1/access_token': (r) =>
    r.basic === undefined
      ? { status: 401, json: { message: 'Unauthorized', error: 401 } }
      : r.form.get('code') === 'good'
        ? { json: { access_token: 'reddit-access', token_type: 'bearer', expires_in: 86400, refresh_token: 'reddit-refresh', scope: 'identity read' } }
        : { json: { error: 'invalid_grant' } },
  // A broken gateway that leaks something token-like in an HTML page.
  '/broken/token': () => ({ status: 502, text: '<html><body>Bad gateway; upstream said access_token=leaked-token-abc</body></html>', contentType: 'text/html' }),
  // A success without an access token, but with a refresh token in it.
  '/no-access-token/token': () => ({ json: { token_type: 'bearer', refresh_token: 'refresh-that-must-not-leak', expires_in: 3600 } }),
};

let server: Server;
let base: string;
const seen: StubRequest[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const request: StubRequest = { form, headers: req.headers, basic: basicOf(req) };
      seen.push(request);
      const route = ROUTES[new URL(req.url ?? '/', 'http://stub').pathname];
      const answer: StubAnswer = req.method !== 'POST' ? { status: 405, json: { error: 'method_not_allowed' } } : route ? route(request) : { status: 404, json: { error: 'not_found' } };
      const payload = answer.text ?? JSON.stringify(answer.json);
      res.writeHead(answer.status ?? 200, { 'Content-Type': answer.contentType ?? 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

/**
 * A token request as a client of this vendor makes it: its headers, its client authentication;
 * the real status and body go to the vendor's normalizer.
 */
async function exchange(vendor: Vendor, path: string, code: string, options: { headers?: boolean } = {}) {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'https://agent.example/callback', code_verifier: 'v'.repeat(43) });
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', ...(options.headers === false ? {} : tokenRequestHeadersOf(vendor)) };
  if (vendor.clientAuthentication === 'client_secret_basic') {
    headers.Authorization = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`;
  } else {
    form.set('client_id', CLIENT_ID);
    form.set('client_secret', CLIENT_SECRET);
  }
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: form });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return vendor.normalizeTokenResponse(response.status, body, NOW);
}

// ---------------------------------------------------------------------------------------------

describe('token responses, from a live stub in each vendor dialect', () => {
  it('GitHub: a 200 answer with an error is an error', async () => {
    const error = expectError(await exchange(vendorOf('GithubOauth2'), '/github/login/oauth/access_token', 'bad'));
    expect(error).toEqual({ error: 'bad_verification_code', description: 'The code passed is incorrect or expired.' });
  });

  it('GitHub: a classic token has no expiry; granted scopes are comma-separated', async () => {
    const token = expectToken(await exchange(vendorOf('GithubOauth2'), '/github/login/oauth/access_token', 'good'));
    expect(token).toMatchObject({ accessToken: 'gho_16C7e42F292c6912E7710c838347Ae178B4a', tokenType: 'bearer', scopes: ['repo', 'gist'] });
    expect(token.expiresAt).toBeUndefined();
    expect(token.refreshToken).toBeUndefined();
    expect(seen.at(-1)?.headers.accept).toContain('application/json');
  });

  it('GitHub: expiring user tokens carry expires_in, refresh_token and refresh_token_expires_in', async () => {
    const token = expectToken(await exchange(vendorOf('GithubOauth2'), '/github/login/oauth/access_token', 'expiring'));
    expect(token).toMatchObject({ accessToken: 'ghu_expiringUserToken', refreshToken: 'ghr_refreshToken', expiresAt: NOW + 28800_000, refreshTokenExpiresAt: NOW + 15897600_000 });
    expect(token.scopes).toBeUndefined();
  });

  it('GitHub: the form-encoded answer (no Accept header) reads the same', async () => {
    const github = vendorOf('GithubOauth2');
    expect(expectToken(await exchange(github, '/github/login/oauth/access_token', 'good', { headers: false }))).toMatchObject({
      accessToken: 'gho_16C7e42F292c6912E7710c838347Ae178B4a',
      scopes: ['repo', 'gist'],
    });
    expect(expectError(await exchange(github, '/github/login/oauth/access_token', 'bad', { headers: false })).error).toBe('bad_verification_code');
  });

  it('Slack: the bot token at top level', async () => {
    const token = expectToken(await exchange(vendorOf('SlackOauth2'), '/slack/api/oauth.v2.access', 'bot'));
    expect(token).toMatchObject({
      accessToken: 'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy',
      tokenType: 'bot',
      scopes: ['commands', 'incoming-webhook', 'chat:write'],
      extras: { team_id: 'T9TK3CUKW', enterprise_id: 'E12345678', app_id: 'A0KRD7HC3', bot_user_id: 'U0KRQLJ9H', authed_user_id: 'U1234' },
    });
    expect(token.expiresAt).toBeUndefined();
  });

  it('Slack: the user token nested under authed_user when there is no bot token', async () => {
    const token = expectToken(await exchange(vendorOf('SlackOauth2'), '/slack/api/oauth.v2.access', 'user'));
    expect(token).toMatchObject({
      accessToken: 'xoxp-1234-user-token',
      tokenType: 'user',
      refreshToken: 'xoxe-1-user-refresh',
      expiresAt: NOW + 43200_000,
      scopes: ['search:read', 'chat:write'],
    });
  });

  it('Slack: ok:false with HTTP 200 is an error', async () => {
    expect(expectError(await exchange(vendorOf('SlackOauth2'), '/slack/api/oauth.v2.access', 'wrong'))).toEqual({ error: 'invalid_code', description: undefined });
  });

  it('Salesforce: instance_url in extras, no expiry, space-separated scopes', async () => {
    const token = expectToken(await exchange(vendorOf('SalesforceOauth2'), '/salesforce/services/oauth2/token', 'good'));
    expect(token).toMatchObject({ accessToken: '00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog', tokenType: 'Bearer', scopes: ['refresh_token', 'api', 'id'], extras: { instance_url: 'https://acme.my.salesforce.com' } });
    expect(token.refreshToken).toMatch(/^5Aep/);
    expect(token.expiresAt).toBeUndefined();
    expect(Object.values(token.extras ?? {})).not.toContain(token.accessToken);
  });

  it('an HTTP 400 error passes the vendor error through', async () => {
    expect(expectError(await exchange(vendorOf('SalesforceOauth2'), '/salesforce/services/oauth2/token', 'expired'))).toEqual({
      error: 'invalid_grant',
      description: 'expired authorization code',
    });
    expect(expectError(await exchange(vendorOf('SpotifyOauth2'), '/spotify/api/token', 'expired'))).toEqual({ error: 'invalid_grant', description: 'Invalid authorization code' });
  });

  it('a standard vendor: expires_in and refresh_token (Spotify, with Basic client authentication)', async () => {
    const token = expectToken(await exchange(vendorOf('SpotifyOauth2'), '/spotify/api/token', 'good'));
    expect(token).toEqual({
      accessToken: 'BQDspotifyAccess',
      refreshToken: 'AQCspotifyRefresh',
      expiresAt: NOW + 3600_000,
      scopes: ['user-read-private', 'user-read-email'],
      tokenType: 'Bearer',
    });
    expect(seen.at(-1)?.basic).toEqual([CLIENT_ID, CLIENT_SECRET]);
    expect(seen.at(-1)?.form.has('client_secret')).toBe(false);
  });

  it('Microsoft: standard answer', async () => {
    const token = expectToken(await exchange(vendorOf('MicrosoftOauth2'), '/microsoft/oauth2/v2.0/token', 'good'));
    expect(token).toMatchObject({ accessToken: 'eyJ0eXAiOiJKV1Qi.ms.access', refreshToken: 'M.R3_BAY.ms-refresh', expiresAt: NOW + 3599_000, scopes: ['User.Read', 'offline_access'] });
  });

  it('Twitch: scopes as an array; {status, message} errors', async () => {
    const twitch = vendorOf('TwitchOauth2');
    expect(expectToken(await exchange(twitch, '/twitch/oauth2/token', 'good'))).toMatchObject({ scopes: ['channel:moderate', 'chat:read'], expiresAt: NOW + 14124_000 });
    expect(expectError(await exchange(twitch, '/twitch/oauth2/token', 'bad'))).toEqual({ error: 'http_400', description: 'Invalid authorization code' });
  });

  it('Facebook: Graph API error objects', async () => {
    const facebook = vendorOf('FacebookOauth2');
    expect(expectToken(await exchange(facebook, '/facebook/oauth/access_token', 'good'))).toMatchObject({ accessToken: 'EAAGfacebookToken', expiresAt: NOW + 5183944_000 });
    expect(expectError(await exchange(facebook, '/facebook/oauth/access_token', 'bad'))).toEqual({ error: 'OAuthException', description: 'This authorization code has expired.' });
  });

  it('HubSpot: {status, message} errors', async () => {
    const hubspot = vendorOf('HubspotOauth2');
    expect(expectToken(await exchange(hubspot, '/hubspot/oauth/v1/token', 'good'))).toMatchObject({ accessToken: 'hubspot-access', refreshToken: 'hubspot-refresh', expiresAt: NOW + 1800_000 });
    expect(expectError(await exchange(hubspot, '/hubspot/oauth/v1/token', 'bad'))).toEqual({ error: 'BAD_AUTH_CODE', description: 'missing or unknown auth code' });
  });

  it('Notion: workspace fields are ignored, the access token kept', async () => {
    const token = expectToken(await exchange(vendorOf('NotionOauth2'), '/notion/v1/oauth/token', 'good'));
    expect(token).toEqual({ accessToken: 'secret_notionIntegrationToken', refreshToken: undefined, expiresAt: undefined, scopes: undefined, tokenType: 'bearer' });
  });

  it('Reddit: Basic auth and a User-Agent; 200 errors and numeric errors', async () => {
    const reddit = vendorOf('RedditOauth2');
    expect(expectToken(await exchange(reddit, '/reddit/api/v1/access_token', 'good'))).toMatchObject({ accessToken: 'reddit-access', refreshToken: 'reddit-refresh', scopes: ['identity', 'read'] });
    expect(seen.at(-1)?.headers['user-agent']).toMatch(/agentcore-identity/);
    expect(expectError(await exchange(reddit, '/reddit/api/v1/access_token', 'bad'))).toEqual({ error: 'invalid_grant', description: undefined });
    const asPost = { ...reddit, clientAuthentication: 'client_secret_post' as const };
    expect(expectError(await exchange(asPost, '/reddit/api/v1/access_token', 'good'))).toEqual({ error: 'http_401', description: 'Unauthorized' });
  });

  it('never invents a description that carries a token or the client secret', async () => {
    const spotify = vendorOf('SpotifyOauth2');
    const broken = expectError(await exchange(spotify, '/broken/token', 'good'));
    expect(broken).toEqual({ error: 'http_502', description: undefined });
    const missing = expectError(await exchange(spotify, '/no-access-token/token', 'good'));
    expect(missing.error).toBe('invalid_token_response');
    for (const name of ALL) {
      for (const result of [
        vendorOf(name).normalizeTokenResponse(502, '<html>access_token=leaked-token-abc</html>', NOW),
        vendorOf(name).normalizeTokenResponse(200, { token_type: 'bearer', refresh_token: 'refresh-that-must-not-leak', client_secret: CLIENT_SECRET }, NOW),
        vendorOf(name).normalizeTokenResponse(401, { client_secret: CLIENT_SECRET, access_token: 'leaked-token-abc' }, NOW),
      ]) {
        const error = expectError(result);
        expect(JSON.stringify(error)).not.toMatch(/leaked-token-abc|refresh-that-must-not-leak|client-secret-never-echoed/);
      }
    }
  });

  it('standardTokenResponse reads JSON text and keeps RFC 6749 behaviour', () => {
    expect(expectToken(standardTokenResponse(200, '{"access_token":"a","expires_in":"60","scope":"x y"}', NOW))).toEqual({
      accessToken: 'a',
      refreshToken: undefined,
      expiresAt: NOW + 60_000,
      scopes: ['x', 'y'],
      tokenType: undefined,
    });
    expect(expectError(standardTokenResponse(400, { error: 'invalid_grant', error_description: 'bad code' }, NOW))).toEqual({ error: 'invalid_grant', description: 'bad code' });
    expect(expectError(standardTokenResponse(500, null, NOW))).toEqual({ error: 'http_500', description: undefined });
  });

  it('reads a lifetime beyond ten years as none given (a Date could not hold it), and keeps one of ten years', () => {
    const tenYears = 10 * 365 * 24 * 3600;
    for (const huge of [1e15, '1e15', tenYears + 1, Number.MAX_SAFE_INTEGER, 1e308]) {
      const token = expectToken(standardTokenResponse(200, { access_token: 'a', refresh_token: 'r', expires_in: huge, refresh_token_expires_in: huge }, NOW));
      expect(token.expiresAt, String(huge)).toBeUndefined();
      expect(token.refreshTokenExpiresAt, String(huge)).toBeUndefined();
      expect(token).toMatchObject({ accessToken: 'a', refreshToken: 'r' });
    }
    const kept = expectToken(standardTokenResponse(200, { access_token: 'a', expires_in: tenYears, refresh_token_expires_in: tenYears }, NOW));
    expect([kept.expiresAt, kept.refreshTokenExpiresAt]).toEqual([NOW + tenYears * 1000, NOW + tenYears * 1000]);
    expect(new Date(kept.expiresAt!).toISOString()).toMatch(/^\d{4}-/);
  });
});
