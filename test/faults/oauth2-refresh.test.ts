import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { emulatorDocumentClient, rememberSecret, secretValue, uniqueName } from '../setup/clients.js';
import { apiEvent, lambdaContext, useIsolatedTables } from '../setup/in-process.js';
import { startScriptedAuthorizationServer, scriptedProviderConfig, type ScriptedAuthorizationServer } from '../api/scripted-authorization-server.js';

/**
 * The refresh protocol and the callback, in process on tables of their own, where a test can set
 * how much time the function has left (the refresh budget comes from it) and inject faults into
 * the very AWS clients the handlers use.
 */
await useIsolatedTables('refresh');
const control = (await import('../../functions/control-plane.js')).handler;
const dataPlane = (await import('../../functions/data-plane.js')).handler;
const callback = (await import('../../functions/oauth2-callback.js')).handler;
const clients = await import('../../lib/aws/clients.js');
const ddb = emulatorDocumentClient();

let as: ScriptedAuthorizationServer;
beforeAll(async () => {
  as = await startScriptedAuthorizationServer('refresh', rememberSecret);
});
afterAll(async () => {
  await as.stop();
});

/** A Lambda context with `remainingMs` left, as the function would have near its timeout. */
function context(remainingMs?: number) {
  const base = lambdaContext();
  return remainingMs === undefined ? base : { ...base, getRemainingTimeInMillis: () => remainingMs };
}

async function call(handler: typeof control, path: string, body: unknown, remainingMs?: number) {
  const result = await handler(apiEvent(path, body) as never, context(remainingMs));
  return { status: result.statusCode ?? 500, errorType: result.headers?.['x-amzn-errortype'], body: result.body ? JSON.parse(result.body) : undefined };
}

async function ok(handler: typeof control, path: string, body: unknown) {
  const result = await call(handler, path, body);
  if (result.status >= 300) throw new Error(`${path}: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body;
}

async function provider(name = uniqueName('scripted'), clientId = 'scripted-client') {
  await ok(control, '/identities/CreateOauth2CredentialProvider', { name, credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: scriptedProviderConfig(as.issuer, clientId, secretValue('scripted-client')) });
  return name;
}

/** The browser's part: the authorization server redirects at once; the callback runs in process. */
async function landOnCallback(authorizationUrl: string) {
  const response = await fetch(authorizationUrl, { redirect: 'manual' });
  const location = new URL(response.headers.get('location')!);
  return callback({ queryStringParameters: Object.fromEntries(location.searchParams) } as never, context() as never, {} as never);
}

/** A workload without return URLs, a user, and a consented binding with the given access token lifetime. */
async function consented(providerName: string) {
  const workloadName = uniqueName('refresh-agent');
  await ok(control, '/identities/CreateWorkloadIdentity', { name: workloadName });
  const { workloadAccessToken } = await ok(dataPlane, '/identities/GetWorkloadAccessTokenForUserId', { workloadName, userId: uniqueName('user') });
  const request = { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: providerName, scopes: ['read'], oauth2Flow: 'USER_FEDERATION' };
  const started = await ok(dataPlane, '/identities/oauth2/token', request);
  const landed = await landOnCallback(started.authorizationUrl);
  expect((landed as { statusCode: number }).statusCode).toBe(200);
  const vend = (remainingMs?: number) => call(dataPlane, '/identities/oauth2/token', request, remainingMs);
  return { workloadName, vend, started };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The vault item of a workload's binding, read consistently (these tables hold only this file's items). */
async function bindingOf(workloadName: string) {
  const { Items } = await ddb.send(
    new ScanCommand({ TableName: process.env.TOKEN_VAULT_TABLE!, ConsistentRead: true, FilterExpression: 'begins_with(workload, :w)', ExpressionAttributeValues: { ':w': `${workloadName}@` } }),
  );
  return Items?.[0];
}

/** Until the consented access token has expired: what a vend must see to refresh. */
async function untilExpired(workloadName: string) {
  const { expiresAt } = (await bindingOf(workloadName))!;
  await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(expiresAt), { timeout: 5_000, interval: 50 });
}

/** Until a vend holds the refresh lock: a second vend started now waits on it. */
async function untilLocked(workloadName: string) {
  await vi.waitFor(async () => expect((await bindingOf(workloadName))?.refreshLockUntil ?? 0).toBeGreaterThan(Date.now()), { timeout: 5_000, interval: 25 });
}

describe('refresh under slowness', () => {
  it('never sends an already-rotated refresh token while 4 vend loops run against a server answering just under its timeout', async () => {
    // Tokens live 1 s, so every loop meets expired ones. With 5 s left, a refresh may take about
    // 3 s (the rest is kept for sealing and storing the answer); the server takes 2.6 s.
    as.script.expiresIn = 1;
    as.script.refreshDelayMs = 2_600;
    const name = await provider();
    const before = as.received.length;
    const { vend, workloadName } = await consented(name);
    await untilExpired(workloadName);
    const outcomes: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 5; i++) {
          const result = await vend(5_000);
          outcomes.push(result.body.accessToken ? 'token' : `${result.status} ${result.errorType}`);
          if (result.body.accessToken) rememberSecret(result.body.accessToken);
          await sleep(300);
        }
      }),
    );
    const received = as.received.slice(before);
    expect(received.filter((r) => r.state !== 'current')).toEqual([]);
    expect(outcomes.filter((o) => o === 'token').length).toBeGreaterThan(10);
  }, 60_000);

  it('lets a vend with little time left wait only what it has, then answer a retryable error instead of overrunning', async () => {
    as.script.expiresIn = 1;
    as.script.refreshDelayMs = 0;
    const name = await provider();
    const { vend, workloadName } = await consented(name);
    await untilExpired(workloadName);
    as.script.refreshDelayMs = 2_500;
    const before = as.calls.refresh_token;
    const holder = vend(8_000);
    await untilLocked(workloadName);
    // 2.5 s left, 2 s of it kept back: it may wait about half a second for the holder.
    const waiter = await vend(2_500);
    expect([waiter.status, waiter.errorType]).toEqual([504, 'InternalServerException']);
    expect((await holder).body.accessToken).toBeTruthy();
    expect(as.calls.refresh_token).toBe(before + 1);
  }, 20_000);
});

describe('a refresh lock whose answer was lost', () => {
  it('is recognized as its own on the SDK retry: the vend refreshes at once, with one upstream call', async () => {
    as.script.expiresIn = 1;
    as.script.refreshDelayMs = 0;
    const name = await provider();
    const { vend, workloadName } = await consented(name);
    await untilExpired(workloadName);
    const before = as.calls.refresh_token;
    // The first UpdateItem of the vend (the lock) takes effect, its answer is lost, the SDK retries.
    let armed = true;
    const dynamo = clients.dynamoDocumentClient();
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        if (!armed || context.commandName !== 'UpdateItemCommand') return next(args);
        armed = false;
        await next(args);
        throw Object.assign(new Error('the answer was lost'), { name: 'TimeoutError', $metadata: {} });
      },
      { step: 'finalizeRequest', name: 'lostLockAnswer' },
    );
    try {
      const result = await vend(8_000);
      expect(result.status).toBe(200);
      expect(rememberSecret(result.body.accessToken)).toBeTruthy();
    } finally {
      dynamo.middlewareStack.remove('lostLockAnswer');
    }
    expect(armed).toBe(false);
    expect(as.calls.refresh_token).toBe(before + 1);
  }, 20_000);
});

describe('refresh whose outcome is unknown', () => {
  it('is retried once with the same token by a later vend, and invalid_grant then means consent again', async () => {
    as.script.expiresIn = 1;
    as.script.refreshDelayMs = 0;
    const name = await provider();
    const { vend, workloadName } = await consented(name);
    await untilExpired(workloadName);
    const before = as.received.length;
    // 3 s left: the refresh gets about 1 s; the server processes (rotates) at once and answers after 4 s.
    as.script.refreshDelayMs = 4_000;
    const timedOut = await vend(3_000);
    expect([timedOut.status, timedOut.errorType]).toEqual([504, 'InternalServerException']);
    // Within the remembered window: the same answer, no upstream call.
    const again = await vend();
    expect([again.status, again.errorType]).toEqual([504, 'InternalServerException']);
    expect(as.received.length).toBe(before + 1);
    // Past the remembered failure's window, as the item says.
    const { refreshFailedUntil } = (await bindingOf(workloadName))!;
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(refreshFailedUntil), { timeout: 10_000, interval: 100 });
    as.script.refreshDelayMs = 0;
    const retried = await vend();
    expect(retried.body.accessToken).toBeUndefined();
    expect(retried.body.authorizationUrl).toBeTruthy();
    const sent = as.received.slice(before);
    expect(sent.map((r) => r.state)).toEqual(['current', 'rotated']);
    expect(sent[0]!.token).toBe(sent[1]!.token);
    expect(sent[1]!.answerDelivered).toBe(false);
  }, 30_000);
});

describe('the callback', () => {
  it('marks its session FAILED at once when it breaks after claiming it', async () => {
    as.script.expiresIn = 3600;
    as.script.refreshDelayMs = 0;
    const name = await provider();
    const workloadName = uniqueName('broken-agent');
    await ok(control, '/identities/CreateWorkloadIdentity', { name: workloadName });
    const { workloadAccessToken } = await ok(dataPlane, '/identities/GetWorkloadAccessTokenForUserId', { workloadName, userId: 'broken-user' });
    const started = await ok(dataPlane, '/identities/oauth2/token', { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: name, scopes: ['read'], oauth2Flow: 'USER_FEDERATION' });
    // KMS fails from now on: the tokens cannot be sealed after the code was exchanged.
    let broken = true;
    const kms = clients.kmsClient();
    kms.middlewareStack.add(
      (next) => async (args) => {
        if (broken) throw Object.assign(new Error('injected KMS outage'), { name: 'KMSInternalException' });
        return next(args);
      },
      { step: 'initialize', name: 'injectKmsOutage' },
    );
    try {
      const landed = (await landOnCallback(started.authorizationUrl)) as { statusCode: number };
      expect(landed.statusCode).toBe(500);
    } finally {
      broken = false;
      kms.middlewareStack.remove('injectKmsOutage');
    }
    const id = started.sessionUri.split(':').pop();
    const { Item } = await ddb.send(new GetCommand({ TableName: process.env.OAUTH2_SESSIONS_TABLE!, Key: { pk: id }, ConsistentRead: true }));
    expect(Item).toMatchObject({ status: 'FAILED', failure: 'internal_error' });
    const polled = await ok(dataPlane, '/identities/oauth2/token', { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: name, scopes: ['read'], oauth2Flow: 'USER_FEDERATION', sessionUri: started.sessionUri });
    expect(polled.sessionStatus).toBe('FAILED');
  });
});

describe('the callback, when the code exchange meets a broken server', () => {
  it('ends the sign-in with a 502 page that names no detail, and fails the session', async () => {
    as.script.codeExchangeFailStatus = 503;
    try {
      const name = await provider();
      const workloadName = uniqueName('exchange-agent');
      await ok(control, '/identities/CreateWorkloadIdentity', { name: workloadName });
      const { workloadAccessToken } = await ok(dataPlane, '/identities/GetWorkloadAccessTokenForUserId', { workloadName, userId: 'exchange-user' });
      const request = { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: name, scopes: ['read'], oauth2Flow: 'USER_FEDERATION' };
      const started = await ok(dataPlane, '/identities/oauth2/token', request);
      const landed = (await landOnCallback(started.authorizationUrl)) as { statusCode: number; headers: Record<string, string>; body: string };
      expect(landed.statusCode).toBe(502);
      expect(landed.headers['x-amzn-errortype']).toBe('InternalServerException');
      expect(landed.body).not.toContain('upstream broke');
      const polled = await ok(dataPlane, '/identities/oauth2/token', { ...request, sessionUri: started.sessionUri });
      expect(polled.sessionStatus).toBe('FAILED');
    } finally {
      as.script.codeExchangeFailStatus = undefined;
    }
  });
});

describe('a provider deleted while a vend waits on its refresh', () => {
  it('gets no consent session from the waiting vend', async () => {
    as.script.expiresIn = 1;
    as.script.refreshDelayMs = 0;
    const name = await provider();
    const { vend, workloadName } = await consented(name);
    const { Item: record } = await ddb.send(new GetCommand({ TableName: process.env.CREDENTIAL_PROVIDERS_TABLE!, Key: { kind: 'oauth2', name } }));
    await untilExpired(workloadName);
    as.script.refreshDelayMs = 1_500;
    const holder = vend();
    await untilLocked(workloadName);
    const waiter = vend();
    // Nothing stored says that the waiter has found the lock held: this pause is what lets it start waiting before the provider goes.
    await sleep(300);
    await ok(control, '/identities/DeleteOauth2CredentialProvider', { name });
    const [held, waited] = await Promise.all([holder, waiter]);
    for (const result of [held, waited]) {
      expect(result.body.authorizationUrl).toBeUndefined();
      expect(result.body.accessToken).toBeUndefined();
      expect(result.errorType).toBe('ResourceNotFoundException');
    }
    const sessions = await ddb.send(
      new QueryCommand({ TableName: process.env.OAUTH2_SESSIONS_TABLE!, IndexName: 'byProvider', KeyConditionExpression: 'provider = :p', ExpressionAttributeValues: { ':p': `oauth2/${name}@${record!.createdTime}` } }),
    );
    expect(sessions.Items).toEqual([]);
  }, 20_000);
});
