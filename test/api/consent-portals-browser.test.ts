import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CreateWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { CLIENTS } from '../setup/authorization-server.js';
import { controlClient, createCustomOauth2Provider, rememberSecret, uniqueName } from '../setup/clients.js';
import { createPortal, idTokenOf, revocations, vend } from './consent-portals-fixture.js';

/**
 * A consent portal in headless Chromium (Debian's `chromium`; `.ci/run` installs it) on a
 * phone-sized screen, against the offline stack and oidc-provider: sign in, see two connections,
 * connect one through the authorization server's consent, vend its token for the same user,
 * disconnect it (the authorization server records the revocation), and vend a consent again.
 * Screenshots of each page go to the folder below, for review.
 */
const SCREENSHOTS = process.env.CONSENT_PORTAL_SCREENSHOTS ?? join(process.env.AGENTCORE_TEST_RUN_DIR!, 'consent-portal-screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const as = inject('authorizationServer');
const control = controlClient();
let browser: Browser;
let page: Page;
let shot = 0;

async function screenshot(name: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** Goes through the authorization server's development login (any password) and consent pages. */
async function atAuthorizationServer(login: string) {
  for (let step = 0; step < 4 && page.url().startsWith(as.issuer); step++) {
    await screenshot(`authorization-server-${step + 1}`);
    if (await page.$('input[name="login"]')) {
      await page.type('input[name="login"]', login);
      await page.type('input[name="password"]', 'any');
    }
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  }
}

async function connectionStates(): Promise<Record<string, string>> {
  return page.$$eval('li[data-provider]', (items) => Object.fromEntries(items.map((li) => [li.getAttribute('data-provider'), li.getAttribute('data-state')])));
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  page = await browser.newPage();
  await page.setViewport({ width: 390, height: 844, isMobile: true, deviceScaleFactor: 1 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('a consent portal in a browser', () => {
  it('signs in, connects, vends for the same user, disconnects with revocation, and vends a consent again', { timeout: 120_000 }, async () => {
    console.info(`consent portal screenshots: ${SCREENSHOTS}`);
    const workload = uniqueName('agent');
    await control.send(new CreateWorkloadIdentityCommand({ name: workload }));
    const discovery = { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` };
    const providers = [
      await createCustomOauth2Provider(control, { clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret, oauthDiscovery: discovery }, uniqueName('calendar')),
      await createCustomOauth2Provider(control, { clientId: CLIENTS.post.client_id, clientSecret: CLIENTS.post.client_secret, clientAuthenticationMethod: 'CLIENT_SECRET_POST', oauthDiscovery: discovery }, uniqueName('files')),
    ];
    const portal = await createPortal(workload, providers);

    await page.goto(portal.url);
    await screenshot('sign-in');
    await Promise.all([page.waitForNavigation(), page.click('a.button')]);
    await atAuthorizationServer('frank');
    expect(page.url()).toBe(portal.url);
    await screenshot('connections');
    expect(await page.$eval('.who', (e) => e.textContent)).toContain('frank');
    expect(await connectionStates()).toEqual({ [providers[0]!]: 'not-connected', [providers[1]!]: 'not-connected' });

    await Promise.all([page.waitForNavigation(), page.click(`li[data-provider="${providers[0]}"] button`)]);
    await atAuthorizationServer('frank');
    expect(page.url()).toBe(`${portal.url}?m=connected`);
    await screenshot('connected');
    expect(await connectionStates()).toEqual({ [providers[0]!]: 'connected', [providers[1]!]: 'not-connected' });

    const idToken = await idTokenOf('frank', portal.url);
    const vended = await vend(workload, idToken, providers[0]!);
    expect(vended.accessToken).toBeTruthy();
    rememberSecret(vended.accessToken!);
    expect(await page.content()).not.toContain(vended.accessToken);

    const before = await revocations();
    await Promise.all([page.waitForNavigation(), page.click(`li[data-provider="${providers[0]}"] button`)]);
    expect(page.url()).toBe(`${portal.url}?m=revoked`);
    await screenshot('disconnected');
    expect(await revocations()).toBe(before + 1);
    expect(await connectionStates()).toEqual({ [providers[0]!]: 'not-connected', [providers[1]!]: 'not-connected' });
    const again = await vend(workload, idToken, providers[0]!);
    expect(again.accessToken).toBeUndefined();
    expect(again.authorizationUrl).toBeTruthy();

    await Promise.all([page.waitForNavigation(), page.click('header button')]);
    await screenshot('signed-out');
    expect(await page.$('a.button')).not.toBeNull();
  });
});
