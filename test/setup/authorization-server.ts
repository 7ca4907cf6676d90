import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';

/**
 * A real OAuth 2.0 / OpenID Connect authorization server (oidc-provider) on loopback, with the
 * clients the tests use. Login and consent are its development pages, driven by plain HTTP.
 */
export interface TestAuthorizationServer {
  issuer: string;
  /** How many times each grant was served at the token endpoint, by client. */
  grants: Record<string, number>;
  stop(): Promise<void>;
}

export const TEST_RESOURCE = 'https://api.example.test';
export const CLIENTS = {
  basic: { client_id: 'agent-basic', client_secret: 'agent-basic-secret-value-0123456789' },
  post: { client_id: 'agent-post', client_secret: 'agent-post-secret-value-0123456789' },
  /** Access tokens of this client live 2 seconds, for refresh tests. */
  shortLived: { client_id: 'agent-short', client_secret: 'agent-short-secret-value-0123456789' },
  /** The identity provider client of consent portals (test/api/consent-portals*.test.ts). */
  portal: { client_id: 'consent-portal', client_secret: 'consent-portal-secret-value-0123456789' },
};

export async function startAuthorizationServer(callbackUrl: string): Promise<TestAuthorizationServer> {
  const grants: Record<string, number> = {};
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = (c: { client_id: string; client_secret: string }, method: string) => ({
    ...c,
    redirect_uris: [callbackUrl],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    token_endpoint_auth_method: method,
  });
  const provider = new Provider(issuer, {
    clients: [
      client(CLIENTS.basic, 'client_secret_basic'),
      client(CLIENTS.post, 'client_secret_post'),
      client(CLIENTS.shortLived, 'client_secret_basic'),
      client(CLIENTS.portal, 'client_secret_basic'),
    ],
    scopes: ['openid', 'offline_access', 'read', 'write'],
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => TEST_RESOURCE,
        useGrantedResource: () => true,
        // The short-lived client's first tokens expire in 2 s; refreshed ones live an hour, so a
        // test sees exactly the refreshes it causes however slowly its requests are served.
        getResourceServerInfo: (ctx: { oidc?: { params?: { grant_type?: string } } }, _resource: string, c: { clientId: string }) => ({
          scope: 'read write',
          accessTokenFormat: 'opaque',
          accessTokenTTL: c.clientId === CLIENTS.shortLived.client_id && ctx.oidc?.params?.grant_type !== 'refresh_token' ? 2 : 3600,
        }),
      },
    },
    issueRefreshToken: async (_ctx: unknown, c: { grantTypeAllowed(g: string): boolean }) => c.grantTypeAllowed('refresh_token'),
    pkce: { required: () => true },
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    cookies: { keys: ['test-cookie-key-0123456789'] },
    rotateRefreshToken: true,
  } as never);
  provider.on('grant.success', (ctx: { oidc: { params?: { grant_type?: string }; client?: { clientId: string } } }) => {
    const key = `${ctx.oidc.client?.clientId}:${ctx.oidc.params?.grant_type}`;
    grants[key] = (grants[key] ?? 0) + 1;
  });
  // The portal client accepts the callback of any consent portal of the stack (ids are minted at create).
  const portalCallback = new RegExp(`^${new URL(callbackUrl).origin.replace(/[.]/g, '\\.')}/portals/[A-Za-z0-9_-]+/callback$`);
  const Client = (provider as unknown as { Client: { prototype: { redirectUriAllowed(this: { clientId: string }, value: string): boolean } } }).Client;
  const allowed = Client.prototype.redirectUriAllowed;
  Client.prototype.redirectUriAllowed = function (value) {
    return allowed.call(this, value) || (this.clientId === CLIENTS.portal.client_id && portalCallback.test(value));
  };
  const serve = provider.callback();
  // Test controls over HTTP (the tests run in other processes than this server): grant counts,
  // and clients whose grants are all answered invalid_grant, as after a user revokes access.
  const revoked = new Set<string>();
  const revocations: Record<string, number> = {};
  // Token requests answered invalid_grant because their client's grants were revoked, by client.
  const refused: Record<string, number> = {};
  server.on('request', (request, response) => {
    const control = /^\/test\/(grants|revoke|restore|revocations|refused)(?:\/([\w-]+))?$/.exec(request.url ?? '');
    if (control) {
      if (control[1] === 'revoke') revoked.add(control[2]!);
      if (control[1] === 'restore') revoked.delete(control[2]!);
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify(control[1] === 'revocations' ? revocations : control[1] === 'refused' ? refused : grants));
    }
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const clientId = basic ? decodeURIComponent(Buffer.from(basic, 'base64').toString().split(':')[0]!) : undefined;
    // RFC 7009 revocations served, by client (consent portals' Disconnect).
    if (request.url === '/token/revocation' && clientId) revocations[clientId] = (revocations[clientId] ?? 0) + 1;
    if (request.url === '/token' && clientId && revoked.has(clientId)) {
      refused[clientId] = (refused[clientId] ?? 0) + 1;
      response.writeHead(400, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify({ error: 'invalid_grant', error_description: 'grant revoked by the user' }));
    }
    return serve(request, response);
  });
  return { issuer, grants, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * A browser with a cookie jar: follows the authorization URL through login and consent, and
 * stops at the redirect to `stopAt` (the service's callback), returning that URL.
 */
export async function consentInBrowser(authorizationUrl: string, stopAt: string, options: { login?: string; refuse?: boolean } = {}): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, {
      method,
      body,
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = pair!.split('=');
      jar.set(name!.trim(), value.join('='));
    }
    method = 'GET';
    body = undefined;
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location')!, url).toString();
      if (url.startsWith(stopAt)) return url;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`unexpected page at ${url}: ${response.status} ${html.slice(0, 300)}`);
    const target = new URL(action.replace(/&amp;/g, '&'), url).toString();
    if (options.refuse) {
      url = `${target.replace(/\/$/, '')}/abort`;
      continue;
    }
    url = target;
    method = 'POST';
    body = html.includes('name="login"') ? new URLSearchParams({ prompt: 'login', login: options.login ?? 'alice', password: 'any' }).toString() : 'prompt=consent';
  }
  throw new Error('too many steps in the authorization flow');
}
