import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { GetApiKeyCredentialProviderCommand, GetConsentPortalCommand, GetOauth2CredentialProviderCommand, GetWorkloadIdentityCommand, ListTagsForResourceCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { startConsole, type RunningConsole } from '../../lib/console/server.js';
import { CLIENTS, consentInBrowser } from '../setup/authorization-server.js';
import { controlClient, createCustomOauth2Provider, emulatorSecretsClient, failure, secretValue, stack, uniqueName } from '../setup/clients.js';
import { Browser as PortalBrowser, csrfOf, revocations, SCOPES, signIn, stateOf } from './consent-portals-fixture.js';

/**
 * The operator console in headless Chromium (Debian's `chromium`) against the offline stack, the
 * issue's "Done when" scenario step by step. Every page is photographed at desktop (1280x800) and
 * phone (390x844) widths into the folder below, for review; one desktop shot is the README's.
 */
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS ?? join(process.env.AGENTCORE_TEST_RUN_DIR!, 'console-screenshots');
const README_SHOT = process.env.CONSOLE_README_SCREENSHOT;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const as = inject('authorizationServer');
const control = controlClient();
let running: RunningConsole;
let browser: Browser;
let page: Page;
let shot = 0;

async function screenshot(name: string) {
  const base = join(SCREENSHOTS, `${String(++shot).padStart(2, '0')}-${name}`);
  await page.screenshot({ path: `${base}-desktop.png`, fullPage: true });
  // Width alone: a change of isMobile makes puppeteer reload the page (and a reload re-posts a form).
  await page.setViewport({ width: 390, height: 844 });
  await page.screenshot({ path: `${base}-phone.png`, fullPage: true });
  await page.setViewport({ width: 1280, height: 800 });
  return `${base}-desktop.png`;
}

const inputOf = (name: string) => `[name="${name}"]`;
async function fill(name: string, value: string) {
  await page.locator(inputOf(name)).fill(value);
}
async function submit(formAction: string) {
  // A field the browser itself refuses would block the post silently: say which.
  const invalid = await page.$$eval(`form[action="${formAction}"] :invalid`, (els) => els.map((e) => e.getAttribute('name') ?? e.tagName));
  expect(invalid, 'fields the browser refuses').toEqual([]);
  await Promise.all([page.waitForNavigation(), page.click(`form[action="${formAction}"] button[type="submit"]`)]);
}
const fieldError = (name: string) => page.$eval(`[data-field="${name}"] .field-error`, (e) => e.textContent ?? '');
const mainText = () => page.$eval('body', (e) => e.textContent ?? '');
const notice = () => page.$eval('.notice', (e) => e.textContent ?? '');

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  running = await startConsole({ port: 0, endpoint: stack.url, region: stack.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await running?.close();
});

describe('the operator console in a browser', () => {
  it('creates a workload, an API key provider from a secret (a wrong JSON key shown beside its field), a GitHub and a custom provider, revokes a portal user\u2019s connection and deletes the workload', { timeout: 180_000 }, async () => {
    console.info(`console screenshots: ${SCREENSHOTS}`);
    // The console's secret *.localhost name: Debian's Chromium resolves it to loopback by itself.
    expect(new URL(running.launchUrl).hostname).toMatch(/^[0-9a-f]{32}\.localhost$/);
    await page.goto(running.launchUrl);
    expect(page.url(), await mainText()).toBe(`${running.url}/workload-identities`);
    // Its cookie is the secret name's alone: another server on 127.0.0.1 (here the console's own
    // fallback name, on the same port) gets none from this browser.
    const cookies = await browser.cookies();
    expect(cookies.map((c) => [c.domain, c.httpOnly, c.sameSite])).toEqual([[new URL(running.url).hostname, true, 'Strict']]);
    const elsewhere = await browser.newPage();
    expect((await elsewhere.goto(`${running.fallbackUrl}/workload-identities`))?.status()).toBe(403);
    await elsewhere.close();
    await screenshot('workload-identities');

    // A workload identity.
    const workload = uniqueName('support-agent');
    await fill('name', workload);
    await fill('allowedResourceOauth2ReturnUrls', 'https://app.example.com/oauth/back');
    await submit('/workload-identities');
    expect(page.url(), await mainText()).toBe(`${running.url}/workload-identities/${workload}?m=created`);
    expect(await notice()).toContain('created');
    await screenshot('workload-created');
    expect((await control.send(new GetWorkloadIdentityCommand({ name: workload }))).allowedResourceOauth2ReturnUrls).toEqual(['https://app.example.com/oauth/back']);

    // An API key provider reading an existing secret by ARN + JSON key; a wrong key first.
    const key = secretValue('console-api-key');
    const { ARN: secretArn } = await emulatorSecretsClient().send(new CreateSecretCommand({ Name: uniqueName('console/openai'), SecretString: JSON.stringify({ key }) }));
    const apiKeyProvider = uniqueName('openai');
    await page.goto(`${running.url}/api-key-providers`);
    await fill('name', apiKeyProvider);
    await page.select(inputOf('apiKeySecretSource'), 'EXTERNAL');
    await fill('apiKeySecretConfig.secretId', secretArn!);
    await fill('apiKeySecretConfig.jsonKey', 'apikey');
    await submit('/api-key-providers');
    expect(await fieldError('apiKeySecretConfig.jsonKey')).toMatch(/\S/);
    expect(await page.content()).not.toContain(key);
    await screenshot('api-key-provider-wrong-json-key');
    await fill('apiKeySecretConfig.jsonKey', 'key');
    await submit('/api-key-providers');
    expect(page.url(), await mainText()).toBe(`${running.url}/api-key-providers/${apiKeyProvider}?m=created`);
    expect(await page.content()).not.toContain(key);
    await screenshot('api-key-provider-created');
    const created = await control.send(new GetApiKeyCredentialProviderCommand({ name: apiKeyProvider }));
    expect([created.apiKeySecretSource, created.apiKeySecretArn?.secretArn, created.apiKeySecretJsonKey]).toEqual(['EXTERNAL', secretArn, 'key']);

    // A GitHub provider, and its callback URL to paste into the GitHub app.
    await page.goto(`${running.url}/oauth2-providers`);
    await screenshot('oauth2-providers');
    await page.select(inputOf('vendor'), 'GithubOauth2');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/new-oauth2-provider"] button[type="submit"]')]);
    await screenshot('github-provider-form');
    const github = uniqueName('github');
    const githubSecret = secretValue('console-github');
    await fill('name', github);
    await fill('oauth2ProviderConfigInput.githubOauth2ProviderConfig.clientId', 'Iv1.console0123456789');
    await fill('oauth2ProviderConfigInput.githubOauth2ProviderConfig.clientSecret', githubSecret);
    await submit('/new-oauth2-provider?vendor=GithubOauth2');
    expect(page.url(), await mainText()).toBe(`${running.url}/oauth2-providers/${github}?m=created`);
    const callbackUrl = await page.$eval('.callback-panel input', (e) => (e as HTMLInputElement).value);
    expect(callbackUrl).toBe((await control.send(new GetOauth2CredentialProviderCommand({ name: github }))).callbackUrl);
    expect(await page.$eval('.callback-panel [data-copy]', (e) => e.getAttribute('data-copy'))).toBe(callbackUrl);
    expect(await page.content()).not.toContain(githubSecret);
    const overview = await screenshot('github-provider-created');
    if (README_SHOT) copyFileSync(overview, resolve(README_SHOT));

    // A custom provider by discovery URL against oidc-provider.
    await page.goto(`${running.url}/new-oauth2-provider?vendor=CustomOauth2`);
    const custom = uniqueName('calendar');
    const config = 'oauth2ProviderConfigInput.customOauth2ProviderConfig';
    await fill('name', custom);
    await fill(`${config}.clientId`, CLIENTS.basic.client_id);
    await page.click(`${inputOf(`${config}.oauthDiscovery`)}[value="discoveryUrl"]`);
    await fill(`${config}.oauthDiscovery.discoveryUrl`, `${as.issuer}/.well-known/openid-configuration`);
    await fill(`${config}.clientSecret`, CLIENTS.basic.client_secret);
    await screenshot('custom-provider-form');
    await submit('/new-oauth2-provider?vendor=CustomOauth2');
    expect(page.url(), await page.content()).toBe(`${running.url}/oauth2-providers/${custom}?m=created`);
    await screenshot('custom-provider-created');
    const customGot = await control.send(new GetOauth2CredentialProviderCommand({ name: custom }));
    // Read from the discovery document: the metadata is oidc-provider's own (no field of it was typed).
    const discovered = customGot.oauth2ProviderConfigOutput?.customOauth2ProviderConfig?.oauthDiscovery?.authorizationServerMetadata;
    expect(discovered?.issuer).toBe(as.issuer);
    expect(discovered?.authorizationEndpoint?.startsWith(`${as.issuer}/`), discovered?.authorizationEndpoint).toBe(true);
    expect(discovered?.tokenEndpoint?.startsWith(`${as.issuer}/`), discovered?.tokenEndpoint).toBe(true);

    await page.goto(`${running.url}/token-vault`);
    await screenshot('token-vault');

    // A consent portal for the workload and the custom provider, created in the console; its IdP is oidc-provider.
    const idp = await createCustomOauth2Provider(control, { clientId: CLIENTS.portal.client_id, clientSecret: CLIENTS.portal.client_secret, oauthDiscovery: { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` } }, uniqueName('corp-idp'));
    await page.goto(`${running.url}/consent-portals`);
    const portalName = uniqueName('portal');
    await fill('name', portalName);
    const idpArn = await page.$$eval('[name="idpConfig.credentialProviderArn"] option', (options, name) => options.find((o) => o.textContent === name)?.getAttribute('value'), idp);
    await page.select(inputOf('idpConfig.credentialProviderArn'), idpArn!);
    await fill('tags.agentcore-identity:workload', workload);
    await fill('tags.agentcore-identity:providers', custom);
    await fill('tags.agentcore-identity:scopes', `${custom}: ${SCOPES.join(' ')}`);
    await fill('executionRoleArn', `arn:aws:iam::${stack.accountId}:role/portal`);
    await fill('sources', 'my-gateway-abcdefghij');
    await screenshot('consent-portal-form');
    await submit('/consent-portals');
    const portalId = /\/consent-portals\/([^/?]+)\?m=created$/.exec(page.url())?.[1];
    expect(portalId, await mainText()).toBeDefined();
    const portal = { id: portalId!, url: (await control.send(new GetConsentPortalCommand({ consentPortalIdentifier: portalId! }))).portalUrl! };
    expect(await page.$eval('a[target="_blank"]', (e) => e.getAttribute('href'))).toBe(portal.url);

    // A user connects through the portal (outside the console), then the operator revokes it.
    const user = new PortalBrowser();
    const signedIn = await signIn(user, portal.url, 'grace');
    const connect = await user.post(`${portal.url}/connect`, { csrf: csrfOf(signedIn.text)!, provider: custom });
    const back = await user.get(await consentInBrowser(connect.location!, `${stack.url}/identities/oauth2/callback`, { login: 'grace' }));
    await user.get((await user.get(back.location!)).location!);
    expect(stateOf((await user.get(portal.url)).text, custom)).toBe('connected');

    await page.goto(`${running.url}/consent-portals`);
    expect(await page.$(`li[data-id="${portal.id}"]`)).not.toBeNull();
    await screenshot('consent-portals');
    await page.goto(`${running.url}/consent-portals/${portal.id}`);
    expect(await page.$eval(`[name="tags.agentcore-identity:workload"]`, (e) => (e as HTMLInputElement).value)).toBe(workload);
    expect(await page.$eval(`[name="idpConfig.credentialProviderArn"] option:checked`, (e) => e.textContent)).not.toMatch(/^arn:/);
    await screenshot('consent-portal');
    // Saved as shown: only the description changes, every other setting and tag stays as it was.
    const storedPortal = async () => {
      const got = await control.send(new GetConsentPortalCommand({ consentPortalIdentifier: portal.id }));
      const tags = (await control.send(new ListTagsForResourceCommand({ resourceArn: got.consentPortalArn! }))).tags;
      return { description: got.description, executionRoleArn: got.executionRoleArn, idpConfig: got.idpConfig, sources: got.sources, tags };
    };
    const beforeEdit = await storedPortal();
    await fill('description', 'Calendar access for the support agent');
    await submit(`/consent-portals/${portal.id}`);
    expect(await notice(), await mainText()).toContain('saved');
    expect(await storedPortal()).toEqual({ ...beforeEdit, description: 'Calendar access for the support agent' });

    await page.goto(`${running.url}/user-connections`);
    await fill('userIssuer', as.issuer);
    await fill('userSubject', 'grace');
    await fill('workloadName', workload);
    await Promise.all([page.waitForNavigation(), page.click('form[action="/user-connections"] button[type="submit"]')]);
    const row = `li[data-workload="${workload}"][data-provider="${custom}"]`;
    expect(await page.$eval(row, (e) => e.getAttribute('data-status'))).toBe('CONNECTED');
    await screenshot('user-connections');
    const revokedBefore = await revocations();
    await Promise.all([page.waitForNavigation(), page.click(`${row} a.button.danger`)]);
    expect(await mainText()).toContain('consent again');
    await screenshot('user-connection-revoke-confirmation');
    await Promise.all([page.waitForNavigation(), page.click('form button.danger')]);
    expect(await notice()).toContain('Revoked');
    // Back on the same lookup: the workload filter kept.
    expect(new URL(page.url()).searchParams.get('workloadName')).toBe(workload);
    expect(await page.$(row)).toBeNull();
    expect(await revocations()).toBe(revokedBefore + 1);
    await screenshot('user-connection-revoked');
    expect(stateOf((await user.get(portal.url)).text, custom)).toBe('not-connected');

    // Delete the workload, through the page that says what goes with it.
    await page.goto(`${running.url}/workload-identities/${workload}`);
    await Promise.all([page.waitForNavigation(), page.click('a.button.danger')]);
    expect(await page.content()).toContain('vault bindings');
    await screenshot('workload-delete-confirmation');
    await Promise.all([page.waitForNavigation(), page.click('form button.danger')]);
    expect(page.url(), await mainText()).toBe(`${running.url}/workload-identities?m=deleted&name=${workload}`);
    await screenshot('workload-deleted');
    expect((await failure(control.send(new GetWorkloadIdentityCommand({ name: workload })))).name).toBe('ResourceNotFoundException');
  });
});
