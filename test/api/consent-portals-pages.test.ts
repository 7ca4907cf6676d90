import { beforeAll, describe, expect, inject, it } from 'vitest';
import { CreateWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PortalCookies, SESSION_COOKIE, type PortalSession } from '../../lib/consent-portals/portal-cookies.js';
import { keyFromSecret } from '../../lib/keys/service-keys.js';
import { CLIENTS, consentInBrowser } from '../setup/authorization-server.js';
import { controlClient, createCustomOauth2Provider, emulatorDocumentClient, emulatorSecretsClient, rememberSecret, stack, uniqueName } from '../setup/clients.js';
import { Browser, createPortal, csrfOf, idTokenOf, revocations, signIn, stateOf, vend } from './consent-portals-fixture.js';

const control = controlClient();
const as = inject('authorizationServer');
let workload = '';
let providers: string[] = [];
let portalUrl = '';
let portalId = '';

beforeAll(async () => {
  workload = uniqueName('agent');
  await control.send(new CreateWorkloadIdentityCommand({ name: workload }));
  const discovery = { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` };
  providers = [
    await createCustomOauth2Provider(control, { clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret, oauthDiscovery: discovery }),
    await createCustomOauth2Provider(control, { clientId: CLIENTS.post.client_id, clientSecret: CLIENTS.post.client_secret, clientAuthenticationMethod: 'CLIENT_SECRET_POST', oauthDiscovery: discovery }),
  ];
  ({ url: portalUrl, id: portalId } = await createPortal(workload, providers));
});

describe('consent portal pages over HTTP', () => {
  it('signs a user in, connects, vends for the same user, disconnects with revocation, and vends a consent again', async () => {
    const browser = new Browser();
    const first = await browser.get(portalUrl);
    expect(first.response.status).toBe(200);
    expect(first.text).toContain(`${portalUrl}/signin`);
    for (const [name, value] of Object.entries({ 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' })) expect(first.response.headers.get(name)).toBe(value);
    expect(first.response.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);

    const page = await signIn(browser, portalUrl, 'alice');
    const setCookie = (await browser.get(portalUrl)).response.headers.getSetCookie();
    expect(setCookie).toEqual([]);
    expect(page.text).toContain('Signed in as alice');
    expect(providers.map((p) => stateOf(page.text, p))).toEqual(['not-connected', 'not-connected']);

    const connect = await browser.post(`${portalUrl}/connect`, { csrf: csrfOf(page.text)!, provider: providers[0]! });
    expect(connect.response.status).toBe(303);
    expect(connect.location!.startsWith(`${as.issuer}/auth`)).toBe(true);
    const callback = await consentInBrowser(connect.location!, `${stack.url}/identities/oauth2/callback`, { login: 'alice' });
    const returned = await browser.get(callback);
    expect(returned.location!.startsWith(`${portalUrl}/connected?`)).toBe(true);
    const landed = await browser.get(returned.location!);
    expect(landed.location).toBe(`${portalUrl}?m=connected`);
    const connected = await browser.get(landed.location!);
    expect(connected.text).toContain('Connected.');
    expect(providers.map((p) => stateOf(connected.text, p))).toEqual(['connected', 'not-connected']);

    const idToken = await idTokenOf('alice', portalUrl);
    const vended = await vend(workload, idToken, providers[0]!);
    expect(vended.accessToken).toBeTypeOf('string');
    rememberSecret(vended.accessToken!);

    const before = await revocations();
    const disconnect = await browser.post(`${portalUrl}/disconnect`, { csrf: csrfOf(connected.text)!, provider: providers[0]! }, { origin: new URL(portalUrl).origin });
    expect(disconnect.location).toBe(`${portalUrl}?m=revoked`);
    expect(await revocations()).toBe(before + 1);
    const after = await browser.get(disconnect.location!);
    expect(stateOf(after.text, providers[0]!)).toBe('not-connected');
    const again = await vend(workload, idToken, providers[0]!);
    expect(again.accessToken).toBeUndefined();
    expect(again.authorizationUrl).toMatch(/^http/);

    const signOut = await browser.post(`${portalUrl}/signout`, { csrf: csrfOf(after.text)! });
    expect(signOut.location).toBe(portalUrl);
    expect(browser.jar.has(SESSION_COOKIE)).toBe(false);
    expect((await browser.get(portalUrl)).text).toContain(`${portalUrl}/signin`);
  });

  it('shows a connection whose refresh token the provider refused as needing consent again, and Connect mends it', async () => {
    const agent = uniqueName('agent');
    await control.send(new CreateWorkloadIdentityCommand({ name: agent }));
    const discovery = { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` };
    const provider = await createCustomOauth2Provider(control, { clientId: CLIENTS.shortLived.client_id, clientSecret: CLIENTS.shortLived.client_secret, oauthDiscovery: discovery });
    const { url } = await createPortal(agent, [provider]);
    const browser = new Browser();
    const page = await signIn(browser, url, 'dave');
    const connect = await browser.post(`${url}/connect`, { csrf: csrfOf(page.text)!, provider });
    const callback = await consentInBrowser(connect.location!, `${stack.url}/identities/oauth2/callback`, { login: 'dave' });
    const landed = await browser.get((await browser.get(callback)).location!);
    expect(stateOf((await browser.get(landed.location!)).text, provider)).toBe('connected');

    // The access token runs out and the provider refuses the refresh token (the user withdrew access there).
    const ddb = emulatorDocumentClient();
    const table = stack.functionEnvironment.TOKEN_VAULT_TABLE!;
    const { Items } = await ddb.send(new ScanCommand({ TableName: table, FilterExpression: 'begins_with(provider, :p)', ExpressionAttributeValues: { ':p': `oauth2/${provider}@` } }));
    expect(Items).toHaveLength(1);
    await ddb.send(new UpdateCommand({ TableName: table, Key: { pk: Items![0]!.pk }, UpdateExpression: 'SET expiresAt = :past', ExpressionAttributeValues: { ':past': Date.now() - 1_000 } }));
    const idToken = await idTokenOf('dave', url);
    await fetch(`${as.issuer}/test/revoke/${CLIENTS.shortLived.client_id}`);
    try {
      const refused = await vend(agent, idToken, provider);
      expect(refused.accessToken).toBeUndefined();
      expect(refused.authorizationUrl).toMatch(/^http/);
      const shown = await browser.get(url);
      expect(stateOf(shown.text, provider)).toBe('needs-consent');
      expect(shown.text).toContain('connect again');
    } finally {
      await fetch(`${as.issuer}/test/restore/${CLIENTS.shortLived.client_id}`);
    }

    const again = await browser.post(`${url}/connect`, { csrf: csrfOf((await browser.get(url)).text)!, provider });
    const mended = await consentInBrowser(again.location!, `${stack.url}/identities/oauth2/callback`, { login: 'dave' });
    const back = await browser.get((await browser.get(mended)).location!);
    expect(stateOf((await browser.get(back.location!)).text, provider)).toBe('connected');
    const vended = await vend(agent, idToken, provider);
    expect(vended.accessToken).toBeTypeOf('string');
    rememberSecret(vended.accessToken!);
  });

  it('keeps users apart: a second user sees none of the first one\'s connections, cannot disconnect them, nor complete their consent', async () => {
    const alice = new Browser();
    const alicePage = await signIn(alice, portalUrl, 'alice2');
    const connect = await alice.post(`${portalUrl}/connect`, { csrf: csrfOf(alicePage.text)!, provider: providers[1]! });
    const callback = await consentInBrowser(connect.location!, `${stack.url}/identities/oauth2/callback`, { login: 'alice2' });
    const returned = await alice.get(callback);

    const bob = new Browser();
    const bobPage = await signIn(bob, portalUrl, 'bob');
    // Alice's consent link, opened in Bob's session: refused, and Alice's consent fails for good.
    const stolen = await bob.get(returned.location!);
    expect(stolen.response.status).toBe(403);
    expect(stolen.text).toContain('another user');
    expect((await alice.get(returned.location!)).response.status).toBe(400);

    // Alice connects again; Bob still sees nothing of hers and cannot remove it.
    const retry = await alice.post(`${portalUrl}/connect`, { csrf: csrfOf(alicePage.text)!, provider: providers[1]! });
    await alice.get(await alice.get(await consentInBrowser(retry.location!, `${stack.url}/identities/oauth2/callback`, { login: 'alice2' })).then((r) => r.location!));
    expect(stateOf((await alice.get(portalUrl)).text, providers[1]!)).toBe('connected');
    expect(stateOf((await bob.get(portalUrl)).text, providers[1]!)).toBe('not-connected');
    const removed = await bob.post(`${portalUrl}/disconnect`, { csrf: csrfOf(bobPage.text)!, provider: providers[1]! });
    expect(removed.location).toBe(`${portalUrl}?m=nothing-to-disconnect`);
    expect(stateOf((await alice.get(portalUrl)).text, providers[1]!)).toBe('connected');
  });

  it('refuses state changes without the CSRF token or from another origin', async () => {
    const browser = new Browser();
    const page = await signIn(browser, portalUrl, 'carol');
    for (const [form, headers] of [
      [{ provider: providers[0]! }, {}],
      [{ provider: providers[0]!, csrf: 'guessed' }, {}],
      [{ provider: providers[0]!, csrf: csrfOf(page.text)! }, { origin: 'https://evil.example' }],
    ] as const) {
      const refused = await browser.post(`${portalUrl}/connect`, form as Record<string, string>, headers as Record<string, string>);
      expect(refused.response.status).toBe(403);
      expect(refused.location).toBeUndefined();
    }
    const signOut = await browser.post(`${portalUrl}/signout`, {});
    expect(signOut.response.status).toBe(403);
    expect(browser.jar.has(SESSION_COOKIE)).toBe(true);
  });

  it('treats a forged, expired or other portal\'s session cookie as no session', async () => {
    const { SecretString } = await emulatorSecretsClient().send(new GetSecretValueCommand({ SecretId: stack.functionEnvironment.SERVICE_KEYS_SECRET_ID! }));
    const key = keyFromSecret(SecretString!);
    const cookies = new PortalCookies({ current: async () => key, find: async (kid) => (kid === key.kid ? key : undefined) });
    const session = (portal: string, expiresAt: number): PortalSession => ({ portal, user: { kind: 'jwt', issuer: as.issuer, subject: 'dave' }, csrf: 'c'.repeat(43), expiresAt });
    const now = Math.floor(Date.now() / 1000);
    const other = await createPortal(workload, [providers[0]!]);
    const otherBrowser = new Browser();
    await signIn(otherBrowser, other.url, 'dave');
    const valid = await cookies.seal('session', session(portalId, now + 300));
    const forged = `${valid.slice(0, 10)}${valid[10] === 'A' ? 'B' : 'A'}${valid.slice(11)}`;
    for (const value of [forged, await cookies.seal('session', session(portalId, now - 1)), otherBrowser.jar.get(SESSION_COOKIE)!, await cookies.seal('session', session(other.id, now + 300)), 'garbage']) {
      const browser = new Browser();
      browser.jar.set(SESSION_COOKIE, value);
      const page = await browser.get(portalUrl);
      expect(page.text).toContain(`${portalUrl}/signin`);
      expect(page.text).not.toContain('Signed in as');
      const refused = await browser.post(`${portalUrl}/connect`, { csrf: 'c'.repeat(43), provider: providers[0]! });
      expect(refused.response.status).toBe(401);
    }
    // The cookie sealed here with the live key is accepted: the refusals above are about the cookie, not the test.
    const browser = new Browser();
    browser.jar.set(SESSION_COOKIE, valid);
    expect((await browser.get(portalUrl)).text).toContain('Signed in as dave');
  });

  it('says so when the portal\'s tags no longer name its connections (changed by TagResource since create)', async () => {
    const portal = await createPortal(workload, [providers[0]!]);
    const browser = new Browser();
    await signIn(browser, portal.url, 'erin');
    const ddb = emulatorDocumentClient();
    await ddb.send(
      new UpdateCommand({ TableName: stack.functionEnvironment.CONSENT_PORTALS_TABLE!, Key: { directory: 'default', name: portal.id.slice(0, -11) }, UpdateExpression: 'SET tags = :none', ExpressionAttributeValues: { ':none': [] } }),
    );
    const page = await browser.get(portal.url);
    expect(page.response.status).toBe(503);
    expect(page.text).toContain('not set up');
  });

  it('answers an unknown portal with a plain 404 page', async () => {
    const page = await new Browser().get(`${stack.url}/portals/nothing-abcdefghij`);
    expect(page.response.status).toBe(404);
    expect(page.response.headers.get('x-frame-options')).toBe('DENY');
  });
});
