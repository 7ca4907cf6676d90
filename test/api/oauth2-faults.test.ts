import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_FAILURE_MEMORY_MS } from '../../lib/token-vault/vault.js';
import { CreateOauth2CredentialProviderCommand, CreateWorkloadIdentityCommand, DeleteOauth2CredentialProviderCommand, DeleteWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { GetResourceOauth2TokenCommand, GetWorkloadAccessTokenForUserIdCommand } from '@aws-sdk/client-bedrock-agentcore';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { controlClient, dataClient, emulatorDocumentClient, failure, rememberSecret, secretValue, stack, uniqueName } from '../setup/clients.js';
import { endRefreshFailureMemory, expireAccessToken, vaultSlotId } from '../setup/vault-clock.js';
import { startScriptedAuthorizationServer, scriptedProviderConfig, type ScriptedAuthorizationServer } from './scripted-authorization-server.js';

/**
 * OAuth2 flows against an authorization server that a test makes slow, failing or stalled, through
 * the official clients (retries off: `maxAttempts: 1`) and the offline stack.
 */
const control = controlClient();
const data = dataClient();
const ddb = emulatorDocumentClient();
const env = stack.functionEnvironment;

let as: ScriptedAuthorizationServer;
beforeAll(async () => {
  as = await startScriptedAuthorizationServer('faults', rememberSecret);
});
afterAll(async () => {
  await as.stop();
});

async function provider(name = uniqueName('faults'), clientId = 'faults-client') {
  await control.send(new CreateOauth2CredentialProviderCommand({ name, credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: scriptedProviderConfig(as.issuer, clientId, secretValue('scripted-client')) }));
  return name;
}

async function workloadItem(name: string) {
  return (await ddb.send(new GetCommand({ TableName: env.WORKLOAD_IDENTITIES_TABLE!, Key: { directory: 'default', name }, ConsistentRead: true }))).Item!;
}

/** The vault slot of a workload, user and provider name (see bindingId). */
async function slot(workloadName: string, createdTime: number, userId: string, providerName: string) {
  const id = vaultSlotId(workloadName, createdTime, userId, providerName);
  return (await ddb.send(new GetCommand({ TableName: env.TOKEN_VAULT_TABLE!, Key: { pk: id }, ConsistentRead: true }))).Item;
}

async function user(workloadName: string, userId = uniqueName('user')) {
  const wat = (await data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName, userId }))).workloadAccessToken!;
  const vend = (providerName: string) =>
    data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: providerName, scopes: ['read'], oauth2Flow: 'USER_FEDERATION' }));
  return { userId, wat, vend };
}

/** The browser: the scripted server redirects at once to the service's callback, which is fetched. */
async function callbackUrlOf(authorizationUrl: string) {
  const response = await fetch(authorizationUrl, { redirect: 'manual' });
  return response.headers.get('location')!;
}

async function consent(vend: () => Promise<{ authorizationUrl?: string }>) {
  const started = await vend();
  const landed = await fetch(await callbackUrlOf(started.authorizationUrl!), { redirect: 'manual' });
  expect(landed.status).toBe(200);
  return started;
}

async function workload() {
  const name = uniqueName('faults-agent');
  await control.send(new CreateWorkloadIdentityCommand({ name }));
  return name;
}

describe('a failing authorization server', () => {
  it('gets 1 refresh call, not 20, from 20 concurrent vends; none is sent to consent; the failure is remembered briefly', async () => {
    as.script.expiresIn = 1;
    as.script.refreshFailStatus = undefined;
    const name = await provider();
    const workloadName = await workload();
    // 20 warm containers first: cold starts of the offline server would stretch the storm beyond the window.
    await Promise.all(Array.from({ length: 20 }, () => user(workloadName)));
    const alice = await user(workloadName);
    await consent(() => alice.vend(name));
    const aliceSlot = vaultSlotId(workloadName, (await workloadItem(workloadName)).createdTime, alice.userId, name);
    await expireAccessToken(ddb, env.TOKEN_VAULT_TABLE!, aliceSlot);
    as.script.refreshFailStatus = 500;
    try {
      const before = as.calls.refresh_token;
      const began = Date.now();
      const results = await Promise.all(Array.from({ length: 20 }, () => alice.vend(name).then((r) => ({ ok: r }), (e) => ({ error: e }))));
      // The documented guarantee is one upstream call per failure-memory window. On a quiet machine
      // the 20 vends fit in one window (exactly 1 call); when a loaded machine stretches them over
      // several, a vend arriving after a window has closed may legitimately try again.
      const windows = 1 + Math.floor((Date.now() - began) / REFRESH_FAILURE_MEMORY_MS);
      expect(results.filter((r) => 'ok' in r)).toEqual([]);
      for (const r of results as { error: { name: string; $metadata: { httpStatusCode?: number } } }[]) {
        expect(r.error.name).toBe('InternalServerException');
        expect(r.error.$metadata.httpStatusCode).toBe(502);
      }
      const storm = as.calls.refresh_token - before;
      expect(storm).toBeGreaterThanOrEqual(1);
      expect(storm).toBeLessThanOrEqual(windows);
      if (windows === 1) expect(storm).toBe(1);
      // An SDK's own retry a moment later gets the remembered failure, without an upstream call.
      expect((await failure(alice.vend(name))).name).toBe('InternalServerException');
      expect(as.calls.refresh_token).toBe(before + storm);
      // Once the window has passed (moved into the past, not waited for), and with the server well again, the binding (never dropped) refreshes.
      await endRefreshFailureMemory(ddb, env.TOKEN_VAULT_TABLE!, aliceSlot);
      as.script.refreshFailStatus = undefined;
      const recovered = await alice.vend(name);
      expect(rememberSecret(recovered.accessToken!)).toBeTruthy();
      expect(recovered.authorizationUrl).toBeUndefined();
      expect(as.calls.refresh_token).toBe(before + storm + 1);
    } finally {
      as.script.refreshFailStatus = undefined;
      as.script.expiresIn = 3600;
    }
  }, 30_000);
});

describe('provider incarnations', () => {
  it('a provider deleted and created again during a code exchange vends nothing from before', async () => {
    as.script.expiresIn = 3600;
    const name = await provider(uniqueName('reborn'), 'old-client');
    const workloadName = await workload();
    const bob = await user(workloadName);
    const started = await bob.vend(name);
    const callbackUrl = await callbackUrlOf(started.authorizationUrl!);
    let release!: () => void;
    as.script.holdCodeExchange = new Promise<void>((r) => (release = r));
    const arrived = as.codeExchangeArrived();
    const landing = fetch(callbackUrl, { redirect: 'manual' });
    try {
      await arrived;
      await control.send(new DeleteOauth2CredentialProviderCommand({ name }));
      await provider(name, 'new-client');
    } finally {
      as.script.holdCodeExchange = undefined;
      release();
    }
    const landed = await landing;
    expect(landed.status).toBe(400);
    expect(await landed.text()).toContain('deleted');
    // The new provider has an empty vault: a consent of its own, with its own client.
    const after = await bob.vend(name);
    expect(after.accessToken).toBeUndefined();
    expect(new URL(after.authorizationUrl!).searchParams.get('client_id')).toBe('new-client');
    expect(await slot(workloadName, (await workloadItem(workloadName)).createdTime, bob.userId, name)).toBeUndefined();
  });
});

describe('deleting a workload identity', () => {
  it('deletes its vault bindings and open consent sessions, found through its indexes', async () => {
    as.script.expiresIn = 3600;
    const name = await provider();
    const workloadName = await workload();
    const { createdTime } = await workloadItem(workloadName);
    const alice = await user(workloadName);
    await consent(() => alice.vend(name));
    expect(rememberSecret((await alice.vend(name)).accessToken!)).toBeTruthy();
    const carol = await user(workloadName);
    await carol.vend(name); // an open session
    const incarnation = `${workloadName}@${createdTime}`;
    const byWorkload = async (table: string, attribute: string) =>
      (await ddb.send(new QueryCommand({ TableName: table, IndexName: 'byWorkload', KeyConditionExpression: '#a = :w', ExpressionAttributeNames: { '#a': attribute }, ExpressionAttributeValues: { ':w': incarnation } }))).Items ?? [];
    expect(await byWorkload(env.TOKEN_VAULT_TABLE!, 'workload')).toHaveLength(1);
    expect(await byWorkload(env.OAUTH2_SESSIONS_TABLE!, 'workloadIncarnation')).toHaveLength(2);
    await control.send(new DeleteWorkloadIdentityCommand({ name: workloadName }));
    expect(await byWorkload(env.TOKEN_VAULT_TABLE!, 'workload')).toEqual([]);
    expect(await byWorkload(env.OAUTH2_SESSIONS_TABLE!, 'workloadIncarnation')).toEqual([]);
    expect(await slot(workloadName, createdTime, alice.userId, name)).toBeUndefined();
  });
});
