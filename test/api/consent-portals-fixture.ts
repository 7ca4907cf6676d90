import { createHash, randomBytes } from 'node:crypto';
import { expect, inject } from 'vitest';
import { CreateConsentPortalCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { GetResourceOauth2TokenCommand, GetWorkloadAccessTokenForJWTCommand } from '@aws-sdk/client-bedrock-agentcore';
import { CLIENTS, consentInBrowser } from '../setup/authorization-server.js';
import { controlClient, createCustomOauth2Provider, dataClient, rememberSecret, stack, uniqueName } from '../setup/clients.js';

/** What the consent portal page tests share: a portal on the test authorization server, its user's ID token, vends for that user. */
const control = controlClient();
const data = dataClient();
const as = inject('authorizationServer');
export const SCOPES = ['openid', 'offline_access', 'read'];

/** A browser's view of the stack: one cookie jar, redirects followed by hand. */
export class Browser {
  readonly jar = new Map<string, string>();
  async get(url: string, init: RequestInit = {}) {
    const response = await fetch(url, { redirect: 'manual', ...init, headers: { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(init.headers ?? {}) } });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';');
      const [name, ...value] = pair!.split('=');
      if (attributes.some((a) => /max-age=0$/i.test(a.trim())) || value.join('=') === '') this.jar.delete(name!.trim());
      else this.jar.set(name!.trim(), value.join('='));
    }
    return { response, text: await response.text(), location: response.headers.get('location') ?? undefined };
  }
  post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    return this.get(url, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  }
}

export const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];
export const stateOf = (html: string, provider: string) => new RegExp(`data-provider="${provider}" data-state="([a-z-]+)"`).exec(html)?.[1];

/** A portal for `workload` listing `listed`, each asked for SCOPES; signs in at the test authorization server. */
export async function createPortal(workload: string, listed: string[]) {
  const idp = await createCustomOauth2Provider(control, { clientId: CLIENTS.portal.client_id, clientSecret: CLIENTS.portal.client_secret, oauthDiscovery: { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` } });
  const tags: Record<string, string> = { 'agentcore-identity:workload': workload, 'agentcore-identity:providers': listed.join(' ') };
  for (const p of listed) tags[`agentcore-identity:scopes:${p}`] = SCOPES.join(' ');
  const created = await control.send(
    new CreateConsentPortalCommand({
      name: uniqueName('portal'),
      executionRoleArn: `arn:aws:iam::${stack.accountId}:role/portal`,
      idpConfig: { credentialProviderArn: `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:token-vault/default/oauth2credentialprovider/${idp}`, scopes: ['openid'] },
      sources: [{ type: 'agentcore-gateway', identifier: 'my-gateway-abcdefghij' }],
      tags,
    }),
  );
  return { url: created.portalUrl!, id: created.consentPortalId! };
}

/** Signs `login` in to a portal through the authorization server's own login and consent pages. */
export async function signIn(browser: Browser, url: string, login: string) {
  const begin = await browser.get(`${url}/signin`);
  expect(begin.response.status).toBe(302);
  const back = await consentInBrowser(begin.location!, `${url}/callback`, { login });
  const landed = await browser.get(back);
  expect(landed.response.status, landed.text).toBe(303);
  expect(landed.location).toBe(url);
  return browser.get(url);
}

/** An ID token of `login` for the portal's client, as the application in front of the agent would hold. */
export async function idTokenOf(login: string, url: string) {
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${as.issuer}/auth`);
  const redirectUri = `${url}/callback`;
  const parameters = { response_type: 'code', client_id: CLIENTS.portal.client_id, redirect_uri: redirectUri, scope: 'openid', state: 's', nonce: 'n', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' };
  for (const [k, v] of Object.entries(parameters)) authorize.searchParams.set(k, v);
  const code = new URL(await consentInBrowser(authorize.toString(), redirectUri, { login })).searchParams.get('code')!;
  const response = await fetch(`${as.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENTS.portal.client_id}:${CLIENTS.portal.client_secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }).toString(),
  });
  return rememberSecret(((await response.json()) as { id_token: string }).id_token);
}

export async function vend(workload: string, idToken: string, provider: string) {
  const { workloadAccessToken } = await data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: workload, userToken: idToken }));
  return data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: workloadAccessToken!, resourceCredentialProviderName: provider, scopes: SCOPES, oauth2Flow: 'USER_FEDERATION' }));
}

export async function revocations(): Promise<number> {
  return ((await (await fetch(`${as.issuer}/test/revocations`)).json()) as Record<string, number>)[CLIENTS.basic.client_id] ?? 0;
}
