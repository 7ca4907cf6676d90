import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { startConsole, type RunningConsole } from '../../lib/console/server.js';
import { controlClient, failure, rememberSecret, secretValue, stack, uniqueName } from '../setup/clients.js';

/**
 * The console's guard against the suite's stack: launch token, session cookie, Host, Origin and
 * CSRF; and the operator's credentials (distinctive fakes, which the offline server takes for the
 * account's root) in no response of any page, error pages included.
 */
const CREDENTIALS = { accessKeyId: 'AKIACONSOLEGUARDTEST7', secretAccessKey: rememberSecret(`consoleGuardSecret-${uniqueName('s')}`), sessionToken: rememberSecret(`consoleGuardSession-${uniqueName('t')}`) };
const control = controlClient();
let running: RunningConsole;
let port: number;
const seen: Array<{ path: string; status: number; text: string }> = [];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A raw request (fetch would not let a test set Host), every answer kept for the credentials check. */
function call(method: string, path: string, options: { host?: string; cookie?: string; origin?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Answer> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const headers: Record<string, string> = { host: options.host ?? host(), ...(options.cookie ? { cookie: options.cookie } : {}), ...(options.origin ? { origin: options.origin } : {}), ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}), ...options.headers };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        seen.push({ path, status: res.statusCode!, text: `${JSON.stringify(res.headers)}\n${text}` });
        resolve({ status: res.statusCode!, headers: res.headers, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pathOf = (url: string) => new URL(url).pathname + new URL(url).search;
const launchPath = () => pathOf(running.launchUrl);
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
let cookie = '';
/** The console's secret name: the Host every request here carries unless it says otherwise. */
const host = () => new URL(running.url).host;
const origin = () => running.url;

beforeAll(async () => {
  running = await startConsole({ port: 0, endpoint: stack.url, region: stack.region, credentials: CREDENTIALS });
  port = Number(new URL(running.url).port);
});

afterAll(async () => {
  await running?.close();
});

describe('the operator console guard', () => {
  it('refuses a request without the launch token or its cookie, a wrong token and a foreign Host, then trades the token once for a strict cookie', async () => {
    expect(running.url).toMatch(new RegExp(`^http://[0-9a-f]{32}\\.localhost:${port}$`));
    expect(running.launchUrl).toMatch(new RegExp(`^${running.url}/\\?launch=[\\w-]{43}$`));
    expect(running.fallbackUrl).toBe(`http://127.0.0.1:${port}`);
    expect(running.fallbackLaunchUrl).toBe(`${running.fallbackUrl}${launchPath()}`);
    expect((await call('GET', '/')).status).toBe(403);
    expect((await call('GET', '/workload-identities')).status).toBe(403);
    expect((await call('GET', '/console.js')).status).toBe(403);
    expect((await call('GET', '/?launch=not-the-token')).status).toBe(403);
    // DNS rebinding: a name that resolves to 127.0.0.1 still sends its own name as Host.
    const secret = new URL(running.url).hostname;
    for (const foreign of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`, secret, `${secret}:${port + 1}`, `x.${secret}:${port}`, `${'0'.repeat(32)}.localhost:${port}`, `${secret}.evil.example:${port}`]) {
      const refused = await call('GET', launchPath(), { host: foreign });
      expect(refused.status, foreign).toBe(403);
      expect(refused.headers['set-cookie'], foreign).toBeUndefined();
    }
    // The refusals above did not spend the token.
    const launched = await call('GET', launchPath());
    expect(launched.status).toBe(303);
    expect(launched.headers.location).toBe('/');
    const setCookie = String(launched.headers['set-cookie']);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    cookie = setCookie.split(';')[0]!;
    // Spent: the same URL again is refused, with or without the cookie.
    expect((await call('GET', launchPath())).status).toBe(403);
    expect((await call('GET', launchPath(), { cookie })).status).toBe(403);
    const home = await call('GET', '/', { cookie });
    expect(home.status).toBe(303);
    const list = await call('GET', '/workload-identities', { cookie });
    expect(list.status).toBe(200);
    expect(list.headers['content-security-policy']).toMatch(/default-src 'none'.*script-src 'self'.*frame-ancestors 'none'/);
    expect(list.headers['x-frame-options']).toBe('DENY');
    expect(list.headers['referrer-policy']).toBe('same-origin');
    expect(list.headers['cache-control']).toBe('no-store');
    expect(list.headers['x-content-type-options']).toBe('nosniff');
    expect(list.text).not.toMatch(/<script>/);
    // The session cookie on another Host name is refused all the same, the fallback names included:
    // a cookie that leaked to another server on 127.0.0.1 could not be replayed there.
    for (const other of [`evil.example:${port}`, `127.0.0.1:${port}`, `localhost:${port}`]) {
      expect((await call('GET', '/workload-identities', { cookie, host: other })).status, other).toBe(403);
    }
  });

  it('takes a reissued link on the 127.0.0.1 fallback, whose cookie opens nothing under the secret name; a foreign Host POST is answered before its body is sent', async () => {
    const spent = launchPath();
    const links = running.reissue();
    expect(pathOf(links.launchUrl)).toBe(pathOf(links.fallbackLaunchUrl));
    expect(pathOf(links.launchUrl)).not.toBe(spent);
    const fallback = new URL(running.fallbackUrl).host;
    // One token for both lines: spent on 127.0.0.1, it is spent under the secret name too.
    const launched = await call('GET', pathOf(links.fallbackLaunchUrl), { host: fallback });
    expect(launched.status).toBe(303);
    expect((await call('GET', pathOf(links.launchUrl))).status).toBe(403);
    const fallbackCookie = String(launched.headers['set-cookie']).split(';')[0]!;
    expect((await call('GET', '/workload-identities', { cookie: fallbackCookie, host: fallback })).status).toBe(200);
    expect((await call('GET', '/workload-identities', { cookie: fallbackCookie, host: `localhost:${port}` })).status).toBe(403);
    expect((await call('GET', '/workload-identities', { cookie: fallbackCookie })).status).toBe(403);
    // The session launched before the reissue is still signed in.
    expect((await call('GET', '/workload-identities', { cookie })).status).toBe(200);
  });

  it('answers a POST under a foreign Host without reading its body, and closes the connection', async () => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (answer += c));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    await new Promise<void>((done) => socket.once('connect', () => done()));
    // 100 MB announced, one kilobyte sent: a server that read the body first would wait for the rest.
    socket.write(`POST /workload-identities HTTP/1.1\r\nHost: evil.example:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n${'a'.repeat(1024)}`);
    await expect.poll(() => answer, { timeout: 20_000 }).toMatch(/^HTTP\/1\.1 403 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    await closed;
  });

  it('refuses a POST with a missing or foreign Origin, a cross-site fetch or a wrong CSRF token, and writes nothing', async () => {
    const csrf = csrfOf((await call('GET', '/workload-identities', { cookie })).text);
    expect(csrf).not.toBe('');
    const name = uniqueName('guarded');
    const form = { csrf, name };
    const refusals = [
      await call('POST', '/workload-identities', { cookie, form }),
      await call('POST', '/workload-identities', { cookie, form, origin: 'http://evil.example' }),
      await call('POST', '/workload-identities', { cookie, form, origin: `http://localhost:${port}` }),
      await call('POST', '/workload-identities', { cookie, form, origin: origin(), headers: { 'sec-fetch-site': 'cross-site' } }),
      await call('POST', '/workload-identities', { cookie, form: { ...form, csrf: `${csrf.slice(0, -2)}xx` }, origin: origin() }),
      await call('POST', '/workload-identities', { cookie, form: { name }, origin: origin() }),
      await call('POST', '/workload-identities', { form, origin: origin() }),
    ];
    for (const r of refusals) expect(r.status).toBe(403);
    expect((await failure(control.send(new GetWorkloadIdentityCommand({ name })))).name).toBe('ResourceNotFoundException');
    // The same form, as the console's own page posts it, is written.
    const created = await call('POST', '/workload-identities', { cookie, form, origin: origin(), headers: { 'sec-fetch-site': 'same-origin' } });
    expect(created.status, created.text).toBe(303);
    expect((await control.send(new GetWorkloadIdentityCommand({ name }))).name).toBe(name);
  });

  it('never shows a posted secret again, whether the service took it or refused the form', async () => {
    const csrf = csrfOf((await call('GET', '/workload-identities', { cookie })).text);
    const post = (path: string, form: Record<string, string>) => call('POST', path, { cookie, origin: origin(), form: { csrf, ...form } });
    const apiKey = secretValue('console-posted-key');
    const clientSecret = secretValue('console-posted-client-secret');
    const github = 'oauth2ProviderConfigInput.githubOauth2ProviderConfig';
    const pages = [
      await post('/api-key-providers', { name: 'not a valid name!', apiKeySecretSource: 'MANAGED', apiKey }),
      await post('/new-oauth2-provider?vendor=GithubOauth2', { name: 'not a valid name!', [`${github}.clientId`]: 'Iv1.x', [`${github}.clientSecretSource`]: 'MANAGED', [`${github}.clientSecret`]: clientSecret }),
    ];
    for (const p of pages) expect(p.status).toBe(400);
    const name = uniqueName('posted');
    const created = await post('/api-key-providers', { name, apiKeySecretSource: 'MANAGED', apiKey });
    expect(created.status).toBe(303);
    pages.push(await call('GET', created.headers.location as string, { cookie }));
    expect(pages[2]!.status).toBe(200);
    // Rotate: a new pasted key replaces the managed one; neither is shown.
    const rotatedKey = secretValue('console-rotated-key');
    const rotated = await post(`/api-key-providers/${name}`, { apiKeySecretSource: 'MANAGED', apiKey: rotatedKey });
    expect(rotated.status, rotated.text).toBe(303);
    pages.push(await call('GET', rotated.headers.location as string, { cookie }));
    expect(pages[3]!.text).toContain('saved');
    expect(pages[3]!.text).not.toContain(rotatedKey);
    for (const p of pages) {
      expect(p.text).not.toContain(apiKey);
      expect(p.text).not.toContain(clientSecret);
    }
  });

  it("shows the operator's credentials in no response of any page, error pages included", async () => {
    const csrf = csrfOf((await call('GET', '/workload-identities', { cookie })).text);
    const post = (path: string, form: Record<string, string>) => call('POST', path, { cookie, origin: origin(), form: { csrf, ...form } });
    const name = uniqueName('walked');
    await post('/workload-identities', { name, allowedResourceOauth2ReturnUrls: 'not a url' });
    await post('/workload-identities', { name });
    for (const path of ['/workload-identities', `/workload-identities/${name}`, `/workload-identities/${name}/delete`, '/workload-identities/missing-one', '/api-key-providers', '/api-key-providers/missing-one', '/oauth2-providers', '/oauth2-providers/missing-one', '/new-oauth2-provider?vendor=GithubOauth2', '/token-vault', '/consent-portals', '/consent-portals/missing-one-abcdefghij', '/user-connections', '/user-connections?userId=somebody', '/user-connections?userIssuer=not-a-url&userSubject=x', '/console.js', '/no-such-page', '/workload-identities?nextToken=garbage']) {
      await call('GET', path, { cookie });
    }
    await post(`/workload-identities/${name}`, { allowedResourceOauth2ReturnUrls: 'https://app.example.com/back\nnot a url' });
    await post('/api-key-providers', { name: uniqueName('k'), apiKeySecretSource: 'EXTERNAL', 'apiKeySecretConfig.secretId': 'no-such-secret', 'apiKeySecretConfig.jsonKey': 'key' });
    await post('/token-vault', { 'kmsConfiguration.keyType': 'CustomerManagedKey', 'kmsConfiguration.kmsKeyArn': 'not-an-arn' });
    await post('/user-connections/revoke', { userId: 'nobody', workloadName: name, credentialProviderName: 'nothing' });
    await post('/consent-portals', { name: uniqueName('p') });
    await post(`/workload-identities/${name}/delete`, {});
    await call('PUT', '/workload-identities', { cookie, origin: origin(), form: { csrf } });
    const statuses = new Set(seen.map((s) => s.status));
    for (const status of [200, 303, 400, 403, 404]) expect(statuses, `a ${status} page was walked`).toContain(status);
    for (const s of seen) {
      for (const value of [CREDENTIALS.accessKeyId, CREDENTIALS.secretAccessKey, CREDENTIALS.sessionToken]) expect(s.text.includes(value), `${s.path} (${s.status})`).toBe(false);
    }
  });
});
