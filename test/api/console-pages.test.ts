import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import {
  CreateConsentPortalCommand,
  CreateWorkloadIdentityCommand,
  DeleteWorkloadIdentityCommand,
  GetApiKeyCredentialProviderCommand,
  GetConsentPortalCommand,
  GetTokenVaultCommand,
  GetWorkloadIdentityCommand,
  ListTagsForResourceCommand,
  SetTokenVaultCMKCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startConsole, type RunningConsole } from '../../lib/console/server.js';
import { CLIENTS } from '../setup/authorization-server.js';
import { controlClient, createCustomOauth2Provider, failure, secretValue, stack, uniqueName } from '../setup/clients.js';
import { releaseTokenVaultLock, takeTokenVaultLock } from '../setup/token-vault-lock.js';

/**
 * The console's page handlers over HTTP, as its own pages post (launch, cookie, CSRF from the
 * page, the console's Origin); what they did is read back through the official control client.
 */
const control = controlClient();
const as = inject('authorizationServer');
const ROLE = `arn:aws:iam::${stack.accountId}:role/consent-portal`;
const WORKLOAD_TAG = 'tags.agentcore-identity:workload';
let running: RunningConsole;
let port: number;
let cookie = '';
let csrf = '';

interface Answer {
  status: number;
  location?: string;
  text: string;
}

function call(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Answer> {
  const body = form ? new URLSearchParams({ csrf, ...form }).toString() : undefined;
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...(cookie ? { cookie } : {}), ...(body !== undefined ? { origin: `http://127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}) };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const get = (path: string) => call('GET', path);
const post = (path: string, form: Record<string, string>) => call('POST', path, form);

const NAMED: Record<string, string> = { quot: '"', lt: '<', gt: '>', amp: '&' };
const unescape = (s: string) => s.replace(/&(#x?[0-9a-fA-F]+|quot|lt|gt|amp);/g, (_, e: string) => NAMED[e] ?? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))));
const attribute = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescape(m[1]!) : undefined;
};

/** What a browser would post from the form of this page that posts to `action` (every field as rendered). */
function formOf(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`<form method="post" action="${action}">`);
  expect(start, `a form posting to ${action}`).toBeGreaterThanOrEqual(0);
  const form = html.slice(start, html.indexOf('</form>', start));
  const values: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const name = attribute(tag, 'name');
    if (name && name !== 'csrf' && (attribute(tag, 'type') !== 'radio' || / checked/.test(tag))) values[name] = attribute(tag, 'value') ?? '';
  }
  for (const m of form.matchAll(/<textarea\b([^>]*)>([^<]*)<\/textarea>/g)) values[attribute(m[1]!, 'name')!] = unescape(m[2]!);
  for (const m of form.matchAll(/<select\b([^>]*)>(.*?)<\/select>/gs)) values[attribute(m[1]!, 'name')!] = attribute(/<option\b[^>]* selected>/.exec(m[2]!)?.[0] ?? /<option\b[^>]*>/.exec(m[2]!)![0], 'value') ?? '';
  return values;
}

/** The portal as the service keeps it: its settings and its tags. */
async function storedPortal(id: string) {
  const got = await control.send(new GetConsentPortalCommand({ consentPortalIdentifier: id }));
  const { tags } = await control.send(new ListTagsForResourceCommand({ resourceArn: got.consentPortalArn! }));
  return { description: got.description, executionRoleArn: got.executionRoleArn, idpConfig: got.idpConfig, sources: got.sources, tags };
}

let idpArn = '';
let provider = '';

async function portalFor(workload: string, extra: { audience?: string; scopes?: string } = {}): Promise<string> {
  const created = await control.send(
    new CreateConsentPortalCommand({
      name: uniqueName('portal'),
      description: 'Before',
      executionRoleArn: ROLE,
      idpConfig: { credentialProviderArn: idpArn, scopes: ['openid', 'profile'], ...(extra.audience ? { audience: extra.audience } : {}) },
      sources: [{ type: 'agentcore-gateway', identifier: 'my-gateway-abcdefghij' }],
      tags: { 'agentcore-identity:workload': workload, 'agentcore-identity:providers': provider, ...(extra.scopes ? { [`agentcore-identity:scopes:${provider}`]: extra.scopes } : {}) },
    }),
  );
  return created.consentPortalId!;
}

beforeAll(async () => {
  running = await startConsole({ port: 0, endpoint: stack.url, region: stack.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  port = Number(new URL(running.url).port);
  const launch = new URL(running.launchUrl);
  const launched = await new Promise<string>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: launch.pathname + launch.search, headers: { host: `127.0.0.1:${port}` } }, (res) => {
      res.resume();
      resolve(String(res.headers['set-cookie']).split(';')[0]!);
    })
      .on('error', reject)
      .end();
  });
  cookie = launched;
  csrf = /name="csrf" value="([^"]+)"/.exec((await get('/workload-identities')).text)![1]!;
  const discovery = { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` };
  const idp = await createCustomOauth2Provider(control, { clientId: CLIENTS.portal.client_id, clientSecret: CLIENTS.portal.client_secret, oauthDiscovery: discovery });
  idpArn = `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:token-vault/default/oauth2credentialprovider/${idp}`;
  provider = await createCustomOauth2Provider(control, { clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret, oauthDiscovery: discovery });
});

afterAll(async () => {
  await running?.close();
});

describe('the console token vault page', () => {
  it('puts the ARN field in the customer key group, and goes back from a customer key to the service key', async () => {
    await takeTokenVaultLock(); // the vault key is one setting for the whole stack
    onTestFinished(releaseTokenVaultLock);
    const kms = new KMSClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'console vault key' }));
    try {
      const shown = (await get('/token-vault')).text;
      expect(shown).toMatch(/<div data-when="kmsConfiguration.keyType=CustomerManagedKey" data-inactive><div class="field" data-field="kmsConfiguration.kmsKeyArn">/);
      const set = await post('/token-vault', { 'kmsConfiguration.keyType': 'CustomerManagedKey', 'kmsConfiguration.kmsKeyArn': KeyMetadata!.Arn! });
      expect(set.status, set.text).toBe(303);
      // Back to the service key with the form as a browser without script posts it: the ARN field still holds the customer key.
      expect((await control.send(new GetTokenVaultCommand({}))).kmsConfiguration).toEqual({ keyType: 'CustomerManagedKey', kmsKeyArn: KeyMetadata!.Arn });
      const form = formOf((await get('/token-vault')).text, '/token-vault');
      expect(form['kmsConfiguration.kmsKeyArn']).toBe(KeyMetadata!.Arn);
      const back = await post('/token-vault', { ...form, 'kmsConfiguration.keyType': 'ServiceManagedKey' });
      expect(back.status, back.text).toBe(303);
      expect((await control.send(new GetTokenVaultCommand({}))).kmsConfiguration?.keyType).toBe('ServiceManagedKey');
    } finally {
      await control.send(new SetTokenVaultCMKCommand({ kmsConfiguration: { keyType: 'ServiceManagedKey' } }));
    }
  });
});

describe('the console consent portal edit', () => {
  it('repairs a portal whose workload identity was deleted: the tag is fixed in the form and saved', async () => {
    const gone = uniqueName('agent');
    await control.send(new CreateWorkloadIdentityCommand({ name: gone }));
    const id = await portalFor(gone);
    await control.send(new DeleteWorkloadIdentityCommand({ name: gone }));
    const replacement = uniqueName('agent');
    await control.send(new CreateWorkloadIdentityCommand({ name: replacement }));
    const form = formOf((await get(`/consent-portals/${id}`)).text, `/consent-portals/${id}`);
    expect(form[WORKLOAD_TAG]).toBe(gone);
    const saved = await post(`/consent-portals/${id}`, { ...form, [WORKLOAD_TAG]: replacement });
    expect(saved.status, saved.text).toBe(303);
    expect((await storedPortal(id)).tags?.['agentcore-identity:workload']).toBe(replacement);
    expect((await get(saved.location!)).text).toContain('saved');
  });

  it('changes only the description when only the description was edited', async () => {
    const workload = uniqueName('agent');
    await control.send(new CreateWorkloadIdentityCommand({ name: workload }));
    const id = await portalFor(workload, { audience: 'portal-api', scopes: 'read write' });
    const before = await storedPortal(id);
    const form = formOf((await get(`/consent-portals/${id}`)).text, `/consent-portals/${id}`);
    const saved = await post(`/consent-portals/${id}`, { ...form, description: 'After' });
    expect(saved.status, saved.text).toBe(303);
    expect(await storedPortal(id)).toEqual({ ...before, description: 'After' });
  });

  it('leaves the tags alone when the form did not show them (they could not be read)', async () => {
    const workload = uniqueName('agent');
    await control.send(new CreateWorkloadIdentityCommand({ name: workload }));
    const id = await portalFor(workload, { scopes: 'read' });
    const before = await storedPortal(id);
    const { tagsShown, ...form } = formOf((await get(`/consent-portals/${id}`)).text, `/consent-portals/${id}`);
    expect(tagsShown).toBe('1');
    // Without the marker, even tag fields posted (here emptied) are not written.
    const saved = await post(`/consent-portals/${id}`, { ...form, description: 'Tags unread', [WORKLOAD_TAG]: '', 'tags.agentcore-identity:scopes': '' });
    expect(saved.status, saved.text).toBe(303);
    expect(await storedPortal(id)).toEqual({ ...before, description: 'Tags unread' });
  });

  it('says what a half save saved and what was refused, showing the stored values', async () => {
    const workload = uniqueName('agent');
    await control.send(new CreateWorkloadIdentityCommand({ name: workload }));
    const id = await portalFor(workload);
    const other = uniqueName('agent');
    await control.send(new CreateWorkloadIdentityCommand({ name: other }));
    const form = formOf((await get(`/consent-portals/${id}`)).text, `/consent-portals/${id}`);
    const refused = await post(`/consent-portals/${id}`, { ...form, [WORKLOAD_TAG]: other, executionRoleArn: 'arn:aws:iam::000000000000:role/elsewhere' });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/Saved: the connection tags\. Refused: the description, execution role and sign-in settings\./);
    const after = await storedPortal(id);
    expect([after.tags?.['agentcore-identity:workload'], after.executionRoleArn]).toEqual([other, ROLE]);
    // The form shows what is stored now, not what was posted.
    expect(formOf(refused.text, `/consent-portals/${id}`)).toMatchObject({ executionRoleArn: ROLE, [WORKLOAD_TAG]: other });
  });
});

describe('the console user connections', () => {
  it('asks before a revoke, saying the agent must ask for consent again; a refused revoke shows the list again, its filter kept', async () => {
    const workload = uniqueName('agent');
    const query = new URLSearchParams({ userId: 'nobody-here', workloadName: workload, workload, provider });
    const confirm = await get(`/user-connections/revoke?${query}`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('consent again');
    const action = unescape(/<form class="inline" method="post" action="([^"]+)"/.exec(confirm.text)![1]!);
    expect(action).toBe(`/user-connections/revoke?${query}`);
    const refused = await post(action, {});
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.text).toContain('role="alert"');
    expect(refused.text).toContain('Connections of <strong>user id nobody-here</strong>');
    expect(refused.text).toContain(`name="workloadName" type="text" value="${workload}"`);
  });
});

describe('console pages that failed to read', () => {
  it('answer the refusal\u2019s status: a bad nextToken 400, an unknown vendor 404, a missing resource 404', async () => {
    expect((await get('/workload-identities?nextToken=garbage')).status).toBe(400);
    expect((await get('/api-key-providers?nextToken=garbage')).status).toBe(400);
    expect((await get('/new-oauth2-provider?vendor=NoSuchVendor')).status).toBe(404);
    expect((await get('/workload-identities/no-such-workload')).status).toBe(404);
  });
});

describe('the console workload identity edit and refused creates', () => {
  it('saves the return URLs, and clears them when the field is emptied', async () => {
    const name = uniqueName('agent');
    expect((await post('/workload-identities', { name })).status).toBe(303);
    const urls = ['https://app.example.com/back', 'https://app.example.com/other'];
    expect((await post(`/workload-identities/${name}`, { allowedResourceOauth2ReturnUrls: `${urls.join('\r\n')}\r\n` })).status).toBe(303);
    expect((await control.send(new GetWorkloadIdentityCommand({ name }))).allowedResourceOauth2ReturnUrls).toEqual(urls);
    expect((await get(`/workload-identities/${name}`)).text).toContain(urls.join('\n'));
    expect((await post(`/workload-identities/${name}`, { allowedResourceOauth2ReturnUrls: '' })).status).toBe(303);
    expect((await control.send(new GetWorkloadIdentityCommand({ name }))).allowedResourceOauth2ReturnUrls ?? []).toEqual([]);
  });

  it('keeps the typed values of a refused create, never a secret, and writes nothing', async () => {
    const workload = await post('/workload-identities', { name: 'not a valid name!', allowedResourceOauth2ReturnUrls: 'https://typed.example.com/back' });
    expect(workload.status).toBe(400);
    expect(formOf(workload.text, '/workload-identities')).toEqual({ name: 'not a valid name!', allowedResourceOauth2ReturnUrls: 'https://typed.example.com/back' });

    const apiKey = secretValue('console-pages-key');
    const keyName = uniqueName('key');
    const refusedKey = await post('/api-key-providers', { name: keyName, apiKeySecretSource: 'EXTERNAL', 'apiKeySecretConfig.secretId': 'no-such-secret-typed', 'apiKeySecretConfig.jsonKey': 'typed-key', apiKey });
    expect(refusedKey.status).toBeGreaterThanOrEqual(400);
    expect(formOf(refusedKey.text, '/api-key-providers')).toMatchObject({ name: keyName, apiKeySecretSource: 'EXTERNAL', 'apiKeySecretConfig.secretId': 'no-such-secret-typed', 'apiKeySecretConfig.jsonKey': 'typed-key', apiKey: '' });
    expect(refusedKey.text).not.toContain(apiKey);
    expect((await failure(control.send(new GetApiKeyCredentialProviderCommand({ name: keyName })))).name).toBe('ResourceNotFoundException');

    const portalName = uniqueName('portal');
    const typed = { name: portalName, description: 'Typed', 'idpConfig.credentialProviderArn': idpArn, 'idpConfig.scopes': 'openid email', [WORKLOAD_TAG]: uniqueName('no-such-agent'), 'tags.agentcore-identity:providers': provider, 'tags.agentcore-identity:scopes': `${provider}: read`, executionRoleArn: ROLE, sources: 'my-gateway-abcdefghij' };
    const refusedPortal = await post('/consent-portals', typed);
    expect(refusedPortal.status).toBe(400);
    expect(refusedPortal.text).toContain('names no workload identity');
    expect(formOf(refusedPortal.text, '/consent-portals')).toMatchObject({ ...typed, 'idpConfig.audience': '' });
  });
});
