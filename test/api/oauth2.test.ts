import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { inject } from 'vitest';
import { createServer } from 'node:http';
import {
  CreateOauth2CredentialProviderCommand,
  CreateWorkloadIdentityCommand,
  DeleteOauth2CredentialProviderCommand,
  GetOauth2CredentialProviderCommand,
  GetTokenVaultCommand,
  ListOauth2CredentialProvidersCommand,
  SetTokenVaultCMKCommand,
  UpdateOauth2CredentialProviderCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import {
  CompleteResourceTokenAuthCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenCommand,
  GetWorkloadAccessTokenForJWTCommand,
  GetWorkloadAccessTokenForUserIdCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CLIENTS, consentInBrowser } from '../setup/authorization-server.js';
import { controlClient, createCustomOauth2Provider, dataClient, emulatorDocumentClient, emulatorSecretsClient, failure, rawCall, rememberSecret, stack, uniqueName, vendForUser } from '../setup/clients.js';
import { signJwt } from '../setup/jwt-issuer.js';
import { releaseTokenVaultLock, takeTokenVaultLock } from '../setup/token-vault-lock.js';
import { expireAccessToken, vaultSlotId } from '../setup/vault-clock.js';

const control = controlClient();
const data = dataClient();
const ddb = emulatorDocumentClient();
const sm = emulatorSecretsClient();
const as = inject('authorizationServer');
const idp = inject('userTokenIssuer');
const CALLBACK = `${stack.url}/identities/oauth2/callback`;
const RETURN_URL = 'https://app.example.com/oauth/done';
const env = stack.functionEnvironment;

async function grants(): Promise<Record<string, number>> {
  return (await fetch(`${as.issuer}/test/grants`)).json() as Promise<Record<string, number>>;
}

/** A CustomOauth2 provider for the test authorization server (or whatever `overrides` point it at). */
async function customProvider(client = CLIENTS.basic, method: 'CLIENT_SECRET_BASIC' | 'CLIENT_SECRET_POST' = 'CLIENT_SECRET_BASIC', overrides: Record<string, unknown> = {}) {
  return createCustomOauth2Provider(control, {
    clientId: client.client_id,
    clientSecret: client.client_secret,
    clientAuthenticationMethod: method,
    oauthDiscovery: { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` },
    ...overrides,
  });
}

/** A workload; with return URLs (the default) its consents are bound to users through them. */
async function workload(returnUrls = true) {
  const name = uniqueName('agent');
  await control.send(new CreateWorkloadIdentityCommand({ name, allowedResourceOauth2ReturnUrls: returnUrls ? [RETURN_URL] : [] }));
  return name;
}

async function userWat(workloadName: string, userId: string) {
  return (await data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName, userId }))).workloadAccessToken!;
}

const vend = vendForUser;

/** The user's browser: consents at the authorization server, then lands on the service's callback. */
async function browserConsents(authorizationUrl: string, options: { login?: string; refuse?: boolean } = {}) {
  const callbackUrl = await consentInBrowser(authorizationUrl, CALLBACK, options);
  const response = await fetch(callbackUrl, { redirect: 'manual' });
  return { callbackUrl, status: response.status, location: response.headers.get('location'), body: await response.text() };
}

/** The whole 3-legged flow for one user, ending with a token from the vault. */
async function consentedUser(provider: string, userId = uniqueName('user')) {
  const name = await workload();
  const wat = await userWat(name, userId);
  const started = await vend(wat, provider, { resourceOauth2ReturnUrl: RETURN_URL, customState: 'app-state-1' });
  const landed = await browserConsents(started.authorizationUrl!);
  await data.send(new CompleteResourceTokenAuthCommand({ sessionUri: started.sessionUri!, userIdentifier: { userId } }));
  const token = rememberSecret((await vend(wat, provider, { sessionUri: started.sessionUri })).accessToken!);
  return { workload: name, userId, wat, token, started, landed };
}

/** The clock passes the expiry of the user's access token in the vault (see vault-clock.ts). */
async function tokenExpires(workloadName: string, userId: string, provider: string) {
  const workloadItem = (await ddb.send(new GetCommand({ TableName: env.WORKLOAD_IDENTITIES_TABLE!, Key: { directory: 'default', name: workloadName } }))).Item!;
  await expireAccessToken(ddb, env.TOKEN_VAULT_TABLE!, vaultSlotId(workloadName, workloadItem.createdTime, userId, provider));
}

async function binding(workloadName: string, userId: string, provider: string) {
  const { createHash } = await import('node:crypto');
  const workloadItem = (await ddb.send(new GetCommand({ TableName: env.WORKLOAD_IDENTITIES_TABLE!, Key: { directory: 'default', name: workloadName } }))).Item!;
  const id = createHash('sha256').update(JSON.stringify([`${workloadName}@${workloadItem.createdTime}`, `id:${userId}`, `oauth2/${provider}`])).digest('base64url');
  return (await ddb.send(new GetCommand({ TableName: env.TOKEN_VAULT_TABLE!, Key: { pk: id } }))).Item;
}

describe('OAuth2 credential providers', () => {
  it('resolve a custom provider from its discovery URL and say where its callback is', async () => {
    const name = await customProvider();
    const got = await control.send(new GetOauth2CredentialProviderCommand({ name }));
    expect(got).toMatchObject({
      name,
      credentialProviderVendor: 'CustomOauth2',
      callbackUrl: CALLBACK,
      clientSecretSource: 'MANAGED',
      credentialProviderArn: `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:token-vault/default/oauth2credentialprovider/${name}`,
    });
    const config = got.oauth2ProviderConfigOutput as { customOauth2ProviderConfig: any };
    expect(config.customOauth2ProviderConfig).toMatchObject({
      clientId: CLIENTS.basic.client_id,
      clientAuthenticationMethod: 'CLIENT_SECRET_BASIC',
      oauthDiscovery: { authorizationServerMetadata: { issuer: as.issuer, authorizationEndpoint: `${as.issuer}/auth`, tokenEndpoint: `${as.issuer}/token` } },
    });
    expect(JSON.stringify(got)).not.toContain(CLIENTS.basic.client_secret);
    const secret = await sm.send(new DescribeSecretCommand({ SecretId: got.clientSecretArn!.secretArn }));
    expect(secret.Name!.startsWith(env.MANAGED_SECRET_PREFIX!)).toBe(true);
    const listed = await control.send(new ListOauth2CredentialProvidersCommand({ maxResults: 20 }));
    expect(listed.credentialProviders!.length).toBeGreaterThan(0);
  });

  it('take named vendors with their own endpoints (GitHub) or a tenant (Microsoft)', async () => {
    const github = uniqueName('github');
    await control.send(
      new CreateOauth2CredentialProviderCommand({
        name: github,
        credentialProviderVendor: 'GithubOauth2',
        oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'gh-client', clientSecret: 'gh-secret-value' } },
      }),
    );
    const got = await control.send(new GetOauth2CredentialProviderCommand({ name: github }));
    expect((got.oauth2ProviderConfigOutput as any).githubOauth2ProviderConfig.oauthDiscovery.authorizationServerMetadata.tokenEndpoint).toBe('https://github.com/login/oauth/access_token');
    const microsoft = uniqueName('ms');
    await control.send(
      new CreateOauth2CredentialProviderCommand({
        name: microsoft,
        credentialProviderVendor: 'MicrosoftOauth2',
        oauth2ProviderConfigInput: { microsoftOauth2ProviderConfig: { clientId: 'ms-client', clientSecret: 'ms-secret-value', tenantId: 'contoso.onmicrosoft.com' } },
      }),
    );
    const ms = await control.send(new GetOauth2CredentialProviderCommand({ name: microsoft }));
    expect((ms.oauth2ProviderConfigOutput as any).microsoftOauth2ProviderConfig.oauthDiscovery.authorizationServerMetadata.authorizationEndpoint).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
    );
  });

  it.each([
    ['a discovery URL that cannot be fetched', { customOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', oauthDiscovery: { discoveryUrl: 'http://127.0.0.1:1/.well-known/openid-configuration' } } }, 'CustomOauth2', 'discoveryUrl'],
    ['a discovery URL that serves no metadata', { customOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', oauthDiscovery: { discoveryUrl: `${as.issuer}/nothing/.well-known/openid-configuration` } } }, 'CustomOauth2', 'discoveryUrl'],
    ['a URL that is not a discovery URL', { customOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', oauthDiscovery: { discoveryUrl: `${as.issuer}/token` } } }, 'CustomOauth2', 'discoveryUrl'],
    ['the config member of another vendor', { githubOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } }, 'GoogleOauth2', 'oauth2ProviderConfigInput'],
    ['two config members', { githubOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' }, googleOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } }, 'GithubOauth2', 'oauth2ProviderConfigInput'],
    ['an Okta provider without issuer or endpoints', { includedOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } }, 'OktaOauth2', 'issuer'],
    ['no client secret', { githubOauth2ProviderConfig: { clientId: 'c' } }, 'GithubOauth2', 'clientSecret'],
    ['an empty client secret (the model allows length 0)', { githubOauth2ProviderConfig: { clientId: 'c', clientSecret: '' } }, 'GithubOauth2', 'clientSecret'],
    ['an empty client secret of a custom provider', { customOauth2ProviderConfig: { clientId: 'c', clientSecret: '', oauthDiscovery: { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` } } }, 'CustomOauth2', 'clientSecret'],
    ['a secret JSON key over the model limit of 128', { githubOauth2ProviderConfig: { clientId: 'c', clientSecretSource: 'EXTERNAL', clientSecretConfig: { secretId: 'no/such/secret', jsonKey: 'k'.repeat(129) } } }, 'GithubOauth2', 'clientSecretConfig.jsonKey'],
    ['an unknown vendor', { githubOauth2ProviderConfig: { clientId: 'c', clientSecret: 's' } }, 'MySpaceOauth2', 'credentialProviderVendor'],
    ['an external client secret that does not exist', { githubOauth2ProviderConfig: { clientId: 'c', clientSecretSource: 'EXTERNAL', clientSecretConfig: { secretId: 'no/such/secret', jsonKey: 'k' } } }, 'GithubOauth2', 'clientSecretConfig.secretId'],
    ['plain-http metadata endpoints', { customOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', oauthDiscovery: { authorizationServerMetadata: { issuer: 'http://idp.example.com', authorizationEndpoint: 'http://idp.example.com/a', tokenEndpoint: 'http://idp.example.com/t' } } } }, 'CustomOauth2', 'authorizationEndpoint'],
  ])('refuse %s, and store nothing', async (_, configInput, vendor, field) => {
    const name = uniqueName('bad');
    const response = await rawCall('/identities/CreateOauth2CredentialProvider', JSON.stringify({ name, credentialProviderVendor: vendor, oauth2ProviderConfigInput: configInput }));
    expect(response.status).toBe(400);
    expect(response.errorType).toBe('ValidationException');
    expect(response.body.fieldList.map((f: { name: string }) => f.name).join(' ')).toContain(field);
    expect((await failure(control.send(new GetOauth2CredentialProviderCommand({ name })))).name).toBe('ResourceNotFoundException');
  });

  it('delete their managed secret, vault bindings and open sessions', async () => {
    const provider = await customProvider();
    const { workload: name, userId } = await consentedUser(provider);
    const wat = await userWat(name, uniqueName('other'));
    await vend(wat, provider, { resourceOauth2ReturnUrl: RETURN_URL }); // an open session
    const secretArn = (await control.send(new GetOauth2CredentialProviderCommand({ name: provider }))).clientSecretArn!.secretArn!;
    const { createdTime } = (await ddb.send(new GetCommand({ TableName: env.CREDENTIAL_PROVIDERS_TABLE!, Key: { kind: 'oauth2', name: provider } }))).Item!;
    const incarnation = `oauth2/${provider}@${createdTime}`;
    const sessionsOf = async () => (await ddb.send(new QueryCommand({ TableName: env.OAUTH2_SESSIONS_TABLE!, IndexName: 'byProvider', KeyConditionExpression: 'provider = :p', ExpressionAttributeValues: { ':p': incarnation } }))).Items;
    expect(await binding(name, userId, provider)).toMatchObject({ provider: incarnation });
    expect((await sessionsOf())!.length).toBeGreaterThan(0);
    await control.send(new DeleteOauth2CredentialProviderCommand({ name: provider }));
    expect(await binding(name, userId, provider)).toBeUndefined();
    expect(await sessionsOf()).toEqual([]);
    expect((await failure(sm.send(new DescribeSecretCommand({ SecretId: secretArn })))).name).toBe('ResourceNotFoundException');
  });

  it('update the client secret and configuration', async () => {
    const name = await customProvider(CLIENTS.basic);
    const updated = await control.send(
      new UpdateOauth2CredentialProviderCommand({
        name,
        credentialProviderVendor: 'CustomOauth2',
        oauth2ProviderConfigInput: {
          customOauth2ProviderConfig: {
            clientId: CLIENTS.post.client_id,
            clientSecret: CLIENTS.post.client_secret,
            clientAuthenticationMethod: 'CLIENT_SECRET_POST',
            oauthDiscovery: { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` },
          },
        },
      }),
    );
    expect((updated.oauth2ProviderConfigOutput as any).customOauth2ProviderConfig).toMatchObject({ clientId: CLIENTS.post.client_id, clientAuthenticationMethod: 'CLIENT_SECRET_POST' });
    const wat = (await data.send(new GetWorkloadAccessTokenCommand({ workloadName: await workload() }))).workloadAccessToken!;
    const m2m = await data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: name, scopes: ['read'], oauth2Flow: 'M2M' }));
    expect(m2m.accessToken).toBeTruthy();
  });
});

describe('GetResourceOauth2Token, machine to machine', () => {
  it('gets a client_credentials token and caches it until shortly before it expires', async () => {
    const provider = await customProvider();
    const wat = (await data.send(new GetWorkloadAccessTokenCommand({ workloadName: await workload() }))).workloadAccessToken!;
    const before = (await grants())[`${CLIENTS.basic.client_id}:client_credentials`] ?? 0;
    const first = await data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: provider, scopes: ['read'], oauth2Flow: 'M2M' }));
    const second = await data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: provider, scopes: ['read'], oauth2Flow: 'M2M' }));
    expect(first.accessToken).toBeTruthy();
    expect(second.accessToken).toBe(first.accessToken);
    const other = await data.send(
      new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: provider, scopes: ['read', 'write'], oauth2Flow: 'M2M', resources: ['https://api.example.test'] }),
    );
    expect(other.accessToken).not.toBe(first.accessToken);
    expect((await grants())[`${CLIENTS.basic.client_id}:client_credentials`]).toBe(before + 2);
  });

  it('names the authorization server error and never echoes the secret', async () => {
    const name = await customProvider({ client_id: CLIENTS.basic.client_id, client_secret: 'not-the-right-secret-0123' });
    const wat = (await data.send(new GetWorkloadAccessTokenCommand({ workloadName: await workload() }))).workloadAccessToken!;
    const error = await failure(data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: name, scopes: ['read'], oauth2Flow: 'M2M' })));
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain('invalid_client');
    expect(error.message).not.toContain('not-the-right-secret');
  });
});

describe('GetResourceOauth2Token, USER_FEDERATION', () => {
  it('goes from authorization URL to callback to CompleteResourceTokenAuth to token', async () => {
    const provider = await customProvider();
    const { started, landed, token, wat } = await consentedUser(provider);
    expect(started.sessionStatus).toBe('IN_PROGRESS');
    expect(started.sessionUri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]+$/);
    const url = new URL(started.authorizationUrl!);
    expect(url.origin + url.pathname).toBe(`${as.issuer}/auth`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(url.searchParams.get('client_id')).toBe(CLIENTS.basic.client_id);
    expect(landed.status).toBe(302);
    const back = new URL(landed.location!);
    expect(back.origin + back.pathname).toBe(RETURN_URL);
    expect(back.searchParams.get('session_id')).toBe(started.sessionUri);
    expect(back.searchParams.get('state')).toBe('app-state-1');
    expect(token).toBeTruthy();
    // From now on the vault answers at once.
    expect((await vend(wat, provider)).accessToken).toBe(token);
  });

  it('stores tokens only as ciphertext', async () => {
    const provider = await customProvider();
    const { workload: name, userId, token } = await consentedUser(provider);
    const item = await binding(name, userId, provider);
    expect(JSON.stringify(item)).not.toContain(token);
    expect(item!.envelope.ciphertext).toBeTruthy();
  });

  it('answers IN_PROGRESS while the user has not consented, with custom parameters in the URL', async () => {
    const provider = await customProvider();
    const wat = await userWat(await workload(false), 'waiting-user');
    const started = await vend(wat, provider, { customParameters: { login_hint: 'alice@example.com' } });
    expect(new URL(started.authorizationUrl!).searchParams.get('login_hint')).toBe('alice@example.com');
    expect(await vend(wat, provider, { sessionUri: started.sessionUri })).toMatchObject({ sessionStatus: 'IN_PROGRESS' });
    const reserved = await failure(vend(wat, provider, { customParameters: { redirect_uri: 'https://evil.example.com' } }));
    expect(reserved.name).toBe('ValidationException');
  });

  it('refreshes an expired token with the refresh token', async () => {
    const provider = await customProvider(CLIENTS.shortLived);
    const { wat, token, workload: name, userId } = await consentedUser(provider);
    await tokenExpires(name, userId, provider);
    const refreshed = (await vend(wat, provider)).accessToken!;
    expect(refreshed).not.toBe(token);
    expect((await vend(wat, provider)).accessToken).toBe(refreshed);
  });

  it('refreshes exactly once when 20 vends ask at the same time, and all 20 get the new token', async () => {
    const provider = await customProvider(CLIENTS.shortLived);
    const { wat, token, workload: name, userId } = await consentedUser(provider);
    await tokenExpires(name, userId, provider);
    const before = (await grants())[`${CLIENTS.shortLived.client_id}:refresh_token`] ?? 0;
    const results = await Promise.all(Array.from({ length: 20 }, () => vend(wat, provider)));
    const tokens = new Set(results.map((r) => r.accessToken));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toBeTruthy();
    expect([...tokens][0]).not.toBe(token);
    expect((await grants())[`${CLIENTS.shortLived.client_id}:refresh_token`]).toBe(before + 1);
  });

  it('starts a new consent when the refresh token is refused (invalid_grant), keeping the refusal on the binding and never sending that token again', async () => {
    const provider = await customProvider(CLIENTS.shortLived);
    const { wat, workload: name, userId } = await consentedUser(provider);
    await tokenExpires(name, userId, provider);
    await fetch(`${as.issuer}/test/revoke/${CLIENTS.shortLived.client_id}`);
    try {
      const result = await vend(wat, provider, { resourceOauth2ReturnUrl: RETURN_URL });
      expect(result.accessToken).toBeUndefined();
      expect(result.authorizationUrl).toBeTruthy();
      expect(await binding(name, userId, provider)).toMatchObject({ refreshFailure: 'invalid_grant' });
      const refusedRequests = async () => ((await (await fetch(`${as.issuer}/test/refused`)).json()) as Record<string, number>)[CLIENTS.shortLived.client_id] ?? 0;
      const sent = await refusedRequests();
      expect(sent).toBeGreaterThan(0);
      const again = await vend(wat, provider, { resourceOauth2ReturnUrl: RETURN_URL });
      expect(again.authorizationUrl).toBeTruthy();
      expect(await refusedRequests()).toBe(sent);
    } finally {
      await fetch(`${as.issuer}/test/restore/${CLIENTS.shortLived.client_id}`);
    }
  });

  it('starts a new consent when forceAuthentication is set, even with a token in the vault', async () => {
    const provider = await customProvider();
    const { wat } = await consentedUser(provider);
    const forced = await vend(wat, provider, { forceAuthentication: true, resourceOauth2ReturnUrl: RETURN_URL });
    expect(forced.accessToken).toBeUndefined();
    expect(forced.authorizationUrl).toBeTruthy();
  });

  it('marks a refused consent FAILED and says so', async () => {
    const provider = await customProvider();
    const wat = await userWat(await workload(false), 'refusing-user');
    const started = await vend(wat, provider);
    const landed = await browserConsents(started.authorizationUrl!, { refuse: true });
    expect(landed.status).toBe(400);
    expect(landed.location).toBeNull();
    expect(landed.body).toContain('access_denied');
    expect(await vend(wat, provider, { sessionUri: started.sessionUri })).toMatchObject({ sessionStatus: 'FAILED' });
  });

  it('refuses a forged or replayed state with a plain page and no redirect', async () => {
    const provider = await customProvider();
    const { landed } = await consentedUser(provider);
    const replay = await fetch(landed.callbackUrl, { redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(replay.headers.get('location')).toBeNull();
    const forged = new URL(landed.callbackUrl);
    const [sealed, kid] = forged.searchParams.get('state')!.split('.');
    const flipped = `${sealed!.slice(0, -2)}${sealed!.endsWith('A') ? 'B' : 'A'}${sealed!.slice(-1)}`;
    for (const state of [`${flipped}.${kid}`, `${'B'.repeat(80)}.${kid}`, `${sealed}.unknownkid`, `${sealed}.${kid}.extra`, 'garbage', '']) {
      forged.searchParams.set('state', state);
      const response = await fetch(forged, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    }
  });

  it('requires a return URL to start a consent for a workload that has allowed return URLs', async () => {
    const provider = await customProvider();
    const wat = await userWat(await workload(), 'u');
    const error = await failure(vend(wat, provider));
    expect(error.name).toBe('ValidationException');
    expect(error.fieldList).toEqual([expect.objectContaining({ name: 'resourceOauth2ReturnUrl' })]);
  });

  it('fails the session when another user tries to complete it, so the right one cannot later either', async () => {
    const provider = await customProvider();
    const name = await workload();
    const alice = await userWat(name, 'alice-fail');
    const started = await vend(alice, provider, { resourceOauth2ReturnUrl: RETURN_URL });
    const landed = await browserConsents(started.authorizationUrl!);
    // The authorization URL does not reveal the session: only the redirect to the return URL does.
    expect(started.authorizationUrl).not.toContain(started.sessionUri!.split(':').pop());
    expect(new URL(landed.location!).searchParams.get('session_id')).toBe(started.sessionUri);
    expect((await failure(data.send(new CompleteResourceTokenAuthCommand({ sessionUri: started.sessionUri!, userIdentifier: { userId: 'mallory' } })))).name).toBe('AccessDeniedException');
    expect(await vend(alice, provider, { sessionUri: started.sessionUri })).toMatchObject({ sessionStatus: 'FAILED' });
    expect((await failure(data.send(new CompleteResourceTokenAuthCommand({ sessionUri: started.sessionUri!, userIdentifier: { userId: 'alice-fail' } })))).name).toBe('ValidationException');
  });

  it('refuses a return URL that is not on the workload allowlist', async () => {
    const provider = await customProvider();
    const wat = await userWat(await workload(), 'u');
    const error = await failure(vend(wat, provider, { resourceOauth2ReturnUrl: 'https://evil.example.com/steal' }));
    expect(error.name).toBe('ValidationException');
    expect(error.fieldList).toEqual([expect.objectContaining({ name: 'resourceOauth2ReturnUrl' })]);
  });

  it('needs a workload access token for a user', async () => {
    const provider = await customProvider();
    const wat = (await data.send(new GetWorkloadAccessTokenCommand({ workloadName: await workload() }))).workloadAccessToken!;
    expect((await failure(vend(wat, provider))).name).toBe('ValidationException');
  });

  it('never gives a second user the first user token, nor lets them see the first user session', async () => {
    const provider = await customProvider();
    const name = await workload();
    const alice = await userWat(name, 'alice');
    const bob = await userWat(name, 'bob');
    const started = await vend(alice, provider, { resourceOauth2ReturnUrl: RETURN_URL });
    await browserConsents(started.authorizationUrl!);
    expect(await vend(alice, provider, { sessionUri: started.sessionUri })).toMatchObject({ sessionStatus: 'IN_PROGRESS' });
    const bobsView = await failure(vend(bob, provider, { sessionUri: started.sessionUri }));
    expect(bobsView.name).toBe('ResourceNotFoundException');
    await data.send(new CompleteResourceTokenAuthCommand({ sessionUri: started.sessionUri!, userIdentifier: { userId: 'alice' } }));
    const aliceToken = (await vend(alice, provider)).accessToken!;
    const bobResult = await vend(bob, provider, { resourceOauth2ReturnUrl: RETURN_URL });
    expect(bobResult.accessToken).toBeUndefined();
    expect(bobResult.authorizationUrl).toBeTruthy();
    expect(JSON.stringify(bobResult)).not.toContain(aliceToken);
  });

  it('confirms a user by JWT in CompleteResourceTokenAuth', async () => {
    const provider = await customProvider();
    const now = Math.floor(Date.now() / 1000);
    const jwt = signJwt(idp.privateKeyPem, idp.kid, { iss: idp.issuer, sub: 'jwt-user', aud: idp.audience, iat: now, exp: now + 300 });
    const name = await workload();
    const wat = (await data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: name, userToken: jwt }))).workloadAccessToken!;
    const started = await vend(wat, provider, { resourceOauth2ReturnUrl: RETURN_URL });
    await browserConsents(started.authorizationUrl!);
    await data.send(new CompleteResourceTokenAuthCommand({ sessionUri: started.sessionUri!, userIdentifier: { userToken: jwt } }));
    expect((await vend(wat, provider, { sessionUri: started.sessionUri })).accessToken).toBeTruthy();
  });

  it('cannot decrypt a ciphertext moved to another binding', async () => {
    const provider = await customProvider();
    const alice = await consentedUser(provider, 'alice-swap');
    const bob = await consentedUser(provider, 'bob-swap');
    const aliceItem = await binding(alice.workload, alice.userId, provider);
    const bobItem = await binding(bob.workload, bob.userId, provider);
    await ddb.send(new PutCommand({ TableName: env.TOKEN_VAULT_TABLE!, Item: { ...bobItem, envelope: aliceItem!.envelope } }));
    const error = await failure(vend(bob.wat, provider));
    expect(error.name).toBe('DecryptionFailure');
    expect(JSON.stringify(error)).not.toContain(alice.token);
  });
});

describe('ON_BEHALF_OF_TOKEN_EXCHANGE', () => {
  it('exchanges the user JWT at a provider configured for it, and is refused where none is', async () => {
    const seen: Record<string, string>[] = [];
    const stub = createServer((request, response) => {
      let body = '';
      request.on('data', (c) => (body += c));
      request.on('end', () => {
        seen.push(Object.fromEntries(new URLSearchParams(body)));
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ access_token: 'exchanged-token', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 300 }));
      });
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(stub.address() as { port: number }).port}`;
    try {
      const name = await customProvider({ client_id: 'obo-client', client_secret: 'obo-secret-value' }, 'CLIENT_SECRET_BASIC', {
        oauthDiscovery: { authorizationServerMetadata: { issuer: base, authorizationEndpoint: `${base}/authorize`, tokenEndpoint: `${base}/token` } },
        onBehalfOfTokenExchangeConfig: { grantType: 'TOKEN_EXCHANGE' },
      });
      const now = Math.floor(Date.now() / 1000);
      const jwt = signJwt(idp.privateKeyPem, idp.kid, { iss: idp.issuer, sub: 'obo-user', aud: idp.audience, iat: now, exp: now + 300 });
      const workloadName = await workload();
      const wat = (await data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName, userToken: jwt }))).workloadAccessToken!;
      const result = await data.send(
        new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: name, scopes: ['read'], oauth2Flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE', audiences: ['https://api.example.test'] }),
      );
      expect(result.accessToken).toBe('exchanged-token');
      expect(seen[0]).toMatchObject({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: jwt, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', audience: 'https://api.example.test', scope: 'read' });
      // A token of a user without a JWT cannot be exchanged, nor can a provider without the config.
      const idWat = await userWat(workloadName, 'plain-user');
      expect((await failure(data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: idWat, resourceCredentialProviderName: name, scopes: ['read'], oauth2Flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE' })))).name).toBe('ValidationException');
      const plain = await customProvider();
      expect((await failure(data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: plain, scopes: ['read'], oauth2Flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE' })))).name).toBe('ValidationException');
    } finally {
      await new Promise((r) => stub.close(r));
    }
  });
});

describe('the token vault key', () => {
  it('is the service key until SetTokenVaultCMK; then new writes use the customer key and old bindings still decrypt', async () => {
    await takeTokenVaultLock(); // other files set the vault key too
    onTestFinished(releaseTokenVaultLock);
    const initial = await control.send(new GetTokenVaultCommand({}));
    expect(initial).toMatchObject({ tokenVaultId: 'default', kmsConfiguration: { keyType: 'ServiceManagedKey' } });
    const provider = await customProvider();
    const before = await consentedUser(provider);
    const kms = new KMSClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'customer vault key' }));
    try {
      const set = await control.send(new SetTokenVaultCMKCommand({ kmsConfiguration: { keyType: 'CustomerManagedKey', kmsKeyArn: KeyMetadata!.Arn } }));
      expect(set.kmsConfiguration).toEqual({ keyType: 'CustomerManagedKey', kmsKeyArn: KeyMetadata!.Arn });
      const after = await consentedUser(provider);
      expect((await binding(after.workload, after.userId, provider))!.envelope.keyArn).toBe(KeyMetadata!.Arn);
      expect((await binding(before.workload, before.userId, provider))!.envelope.keyArn).not.toBe(KeyMetadata!.Arn);
      expect((await vend(before.wat, provider)).accessToken).toBe(before.token);
      expect((await vend(after.wat, provider)).accessToken).toBe(after.token);
      const bad = await failure(control.send(new SetTokenVaultCMKCommand({ kmsConfiguration: { keyType: 'CustomerManagedKey', kmsKeyArn: KeyMetadata!.Arn!.replace(/key\/.*/, 'key/00000000-0000-0000-0000-000000000000') } })));
      expect(bad.name).toBe('ValidationException');
    } finally {
      await control.send(new SetTokenVaultCMKCommand({ kmsConfiguration: { keyType: 'ServiceManagedKey' } }));
    }
  });
});

describe('the bedrock-agentcore TypeScript SDK', () => {
  async function withSdkEnvironment<T>(run: () => Promise<T>): Promise<T> {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: stack.url, AWS_REGION: stack.region, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    try {
      return await run();
    } finally {
      process.env = saved;
    }
  }

  it('withAccessToken gets an M2M token end to end', async () => {
    const provider = await customProvider();
    const wat = (await data.send(new GetWorkloadAccessTokenCommand({ workloadName: await workload() }))).workloadAccessToken!;
    const { withAccessToken } = await import('bedrock-agentcore/identity');
    const result = await withSdkEnvironment(() =>
      withAccessToken({ providerName: provider, scopes: ['read'], authFlow: 'M2M', workloadIdentityToken: wat })(async (repo: string, token: string) => ({ repo, token }))('agents'),
    );
    expect(result.repo).toBe('agents');
    expect(rememberSecret(result.token)).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it('withAccessToken drives USER_FEDERATION: its onAuthUrl sends the user through consent, then it polls for the token', async () => {
    const provider = await customProvider();
    const wat = await userWat(await workload(false), 'sdk-user');
    const { withAccessToken } = await import('bedrock-agentcore/identity');
    let consentPage: Promise<unknown> | undefined;
    let settled = false;
    let result: string;
    // The SDK sleeps a fixed 5 s before each poll. Its timers are faked for this call alone and
    // moved on once the user's consent has landed (what the poll waits for), not after 5 s.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const polled = withSdkEnvironment(() =>
        withAccessToken({
          providerName: provider,
          scopes: ['openid', 'offline_access', 'read'],
          authFlow: 'USER_FEDERATION',
          workloadIdentityToken: wat,
          onAuthUrl: async (url) => {
            consentPage = browserConsents(url);
            await consentPage;
          },
        })(async (token: string) => token)(),
      ).finally(() => (settled = true));
      await vi.waitUntil(() => consentPage, { timeout: 20_000 });
      await consentPage;
      await vi.waitUntil(
        async () => {
          await vi.advanceTimersByTimeAsync(5_000);
          return settled;
        },
        { timeout: 20_000 },
      );
      result = await polled;
    } finally {
      vi.useRealTimers();
    }
    expect((await consentPage) as { status: number }).toMatchObject({ status: 200 });
    expect(rememberSecret(result!)).toBeTruthy();
    expect((await vend(wat, provider)).accessToken).toBe(result!);
  }, 30_000);
});
