import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import {
  CreateOauth2CredentialProviderCommand,
  CreateWorkloadIdentityCommand,
  GetOauth2CredentialProviderCommand,
  UpdateOauth2CredentialProviderCommand,
  type CustomOauth2ProviderConfigInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { CompleteResourceTokenAuthCommand, GetResourceOauth2TokenCommand, GetWorkloadAccessTokenCommand, GetWorkloadAccessTokenForUserIdCommand } from '@aws-sdk/client-bedrock-agentcore';
import { CreateKeyCommand, DisableKeyCommand, GetPublicKeyCommand, KMSClient, type KeySpec, type KeyUsageType } from '@aws-sdk/client-kms';
import { paginateListSecrets } from '@aws-sdk/client-secrets-manager';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { publicJwkOf } from '../../lib/oauth2/client-assertion.js';
import { consentInBrowser } from '../setup/authorization-server.js';
import { controlClient, dataClient, emulatorDocumentClient, emulatorSecretsClient, failure, rawCall, rememberSecret, secretValue, stack, uniqueName } from '../setup/clients.js';

/**
 * PRIVATE_KEY_JWT end to end: providers whose client assertions are signed by keys in the
 * emulator's KMS get tokens from an oidc-provider that knows only those keys' public halves
 * (client_credentials, authorization code with PKCE, refresh). The emulator signs RS256 and
 * ES256 as KMS does; PS256 and the digest path are in test/integration/kms-signer.test.ts.
 */
const control = controlClient();
const data = dataClient();
const ddb = emulatorDocumentClient();
const sm = emulatorSecretsClient();
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const kms = new KMSClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials });
const CALLBACK = `${stack.url}/identities/oauth2/callback`;
const RETURN_URL = 'https://app.example.com/oauth/done';
const env = stack.functionEnvironment;

async function createKey(spec: KeySpec, usage: KeyUsageType = 'SIGN_VERIFY', client = kms): Promise<string> {
  return (await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: usage, Description: 'private_key_jwt test key' }))).KeyMetadata!.Arn!;
}

async function publicJwk(keyArn: string) {
  return publicJwkOf((await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }))).PublicKey!);
}

/** What `npm run public-jwk -- <kmsKeyArn>` prints, as a customer would run it against the offline stack's KMS. */
async function registeredJwk(keyArn: string): Promise<Record<string, string>> {
  const { stdout } = await promisify(execFile)(process.execPath, [resolve(__dirname, '../../node_modules/tsx/dist/cli.mjs'), resolve(__dirname, '../../infra/local/public-jwk.ts'), keyArn], {
    env: { ...process.env, AWS_ENDPOINT_URL_KMS: stack.emulatorEndpoint, AWS_REGION: stack.region, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
  });
  return JSON.parse(stdout).keys[0];
}

interface AuthorizationServer {
  issuer: string;
  server: Server;
  /** What the token endpoint received, per client: grant type and client authentication. */
  requests: { clientId?: string; grantType?: string; assertionType?: string; assertion?: string; secret?: string }[];
}

/** oidc-provider whose clients authenticate with private_key_jwt only, knowing the KMS keys' public JWKs. */
async function startAuthorizationServer(clients: { client_id: string; jwk: Record<string, string>; alg: string }[]): Promise<AuthorizationServer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.client_id,
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: c.alg,
      jwks: { keys: [c.jwk] },
    })),
    scopes: ['openid', 'offline_access', 'read'],
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'https://api.example.test',
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'read', accessTokenFormat: 'opaque', accessTokenTTL: 3600 }),
      },
    },
    issueRefreshToken: async () => true,
    pkce: { required: () => true },
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    cookies: { keys: ['pkjwt-test-cookie-key-0123456789'] },
  } as never);
  const requests: AuthorizationServer['requests'] = [];
  // Every token request the server accepted, as it parsed it.
  provider.on('grant.success', (ctx: { headers: Record<string, string | undefined>; oidc: { body?: Record<string, string> } }) => {
    const form = ctx.oidc.body ?? {};
    requests.push({
      clientId: form.client_id,
      grantType: form.grant_type,
      assertionType: form.client_assertion_type,
      assertion: form.client_assertion,
      secret: form.client_secret ?? ctx.headers.authorization,
    });
  });
  server.on('request', provider.callback());
  return { issuer, server, requests };
}

const keys: { rsa?: string; ec?: string } = {};
let as: AuthorizationServer;

beforeAll(async () => {
  keys.rsa = await createKey('RSA_2048');
  keys.ec = await createKey('ECC_NIST_P256');
  as = await startAuthorizationServer([
    { client_id: 'pkjwt-rs256', jwk: await registeredJwk(keys.rsa), alg: 'RS256' },
    { client_id: 'pkjwt-es256', jwk: await registeredJwk(keys.ec), alg: 'ES256' },
  ]);
});

afterAll(async () => {
  await new Promise<void>((resolve) => as?.server.close(() => resolve()));
});

function pkjwtConfig(clientId: string, keyArn: string, signingAlgorithm: 'RS256' | 'ES256' | 'PS256', extra: Partial<CustomOauth2ProviderConfigInput> = {}): CustomOauth2ProviderConfigInput {
  return {
    clientId,
    clientAuthenticationMethod: 'PRIVATE_KEY_JWT',
    privateKeyJwtConfig: { privateKeySource: { kmsKeySource: { kmsKeyArn: keyArn } }, signingAlgorithm },
    oauthDiscovery: { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` },
    ...extra,
  };
}

async function createProvider(config: CustomOauth2ProviderConfigInput, name = uniqueName('pkjwt')) {
  await control.send(new CreateOauth2CredentialProviderCommand({ name, credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: { customOauth2ProviderConfig: config } }));
  return name;
}

async function workload() {
  const name = uniqueName('agent');
  await control.send(new CreateWorkloadIdentityCommand({ name, allowedResourceOauth2ReturnUrls: [RETURN_URL] }));
  return name;
}

function decode(jwt: string) {
  const [header, payload] = jwt.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part!, 'base64url').toString()));
  return { header, payload };
}

describe.each([
  ['RS256', 'pkjwt-rs256', () => keys.rsa!],
  ['ES256', 'pkjwt-es256', () => keys.ec!],
] as const)('a %s PRIVATE_KEY_JWT provider', (alg, clientId, keyArn) => {
  it('gets an M2M token with an assertion signed by its KMS key, and returns its privateKeyJwtConfig', async () => {
    const name = await createProvider(pkjwtConfig(clientId, keyArn(), alg));
    const got = await control.send(new GetOauth2CredentialProviderCommand({ name }));
    const custom = got.oauth2ProviderConfigOutput!.customOauth2ProviderConfig!;
    expect(custom.clientAuthenticationMethod).toBe('PRIVATE_KEY_JWT');
    expect(custom.privateKeyJwtConfig).toEqual({ privateKeySource: { kmsKeySource: { kmsKeyArn: keyArn() } }, signingAlgorithm: alg });
    expect(got.clientSecretArn?.secretArn).toMatch(/^arn:aws:secretsmanager:/);

    const agent = await workload();
    const wat = (await data.send(new GetWorkloadAccessTokenCommand({ workloadName: agent }))).workloadAccessToken!;
    const before = as.requests.length;
    const token = rememberSecret((await data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: name, scopes: ['read'], oauth2Flow: 'M2M' }))).accessToken!);
    expect(token).toBeTruthy();
    const [sent] = as.requests.slice(before);
    expect(sent).toMatchObject({ clientId, grantType: 'client_credentials', assertionType: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' });
    expect(sent!.secret).toBeUndefined();
    // A credential like any other: the log-hygiene check looks for it in everything the suite printed.
    rememberSecret(sent!.assertion!);
    const { header, payload } = decode(sent!.assertion!);
    expect(header).toEqual({ alg, typ: 'JWT', kid: (await publicJwk(keyArn())).kid });
    expect(payload).toMatchObject({ iss: clientId, sub: clientId, aud: as.issuer });
    expect(payload.exp - payload.iat).toBe(60);
  });

  it('completes a USER_FEDERATION code exchange and refreshes with assertions', async () => {
    const name = await createProvider(pkjwtConfig(clientId, keyArn(), alg));
    const agent = await workload();
    const userId = uniqueName('user');
    const wat = (await data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: agent, userId }))).workloadAccessToken!;
    const vend = (extra: Record<string, string> = {}) =>
      data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: name, scopes: ['openid', 'offline_access', 'read'], oauth2Flow: 'USER_FEDERATION', ...extra }));
    const started = await vend({ resourceOauth2ReturnUrl: RETURN_URL });
    const landed = await fetch(await consentInBrowser(started.authorizationUrl!, CALLBACK), { redirect: 'manual' });
    expect(landed.status).toBe(302);
    await data.send(new CompleteResourceTokenAuthCommand({ sessionUri: started.sessionUri!, userIdentifier: { userId } }));
    const token = rememberSecret((await vend({ sessionUri: started.sessionUri! })).accessToken!);
    expect(as.requests.filter((r) => r.clientId === clientId && r.grantType === 'authorization_code').at(-1)?.assertionType).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');

    // The binding's access token expires (as stored): the next vend refreshes it, authenticated the same way.
    const workloadItem = (await ddb.send(new GetCommand({ TableName: env.WORKLOAD_IDENTITIES_TABLE!, Key: { directory: 'default', name: agent } }))).Item!;
    const pk = createHash('sha256').update(JSON.stringify([`${agent}@${workloadItem.createdTime}`, `id:${userId}`, `oauth2/${name}`])).digest('base64url');
    await ddb.send(new UpdateCommand({ TableName: env.TOKEN_VAULT_TABLE!, Key: { pk }, UpdateExpression: 'SET expiresAt = :past', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':past': 1 } }));
    const refreshes = as.requests.filter((r) => r.grantType === 'refresh_token').length;
    const refreshed = rememberSecret((await vend()).accessToken!);
    expect(refreshed).not.toBe(token);
    const refresh = as.requests.filter((r) => r.grantType === 'refresh_token');
    expect(refresh.length).toBe(refreshes + 1);
    expect(refresh.at(-1)).toMatchObject({ clientId, assertionType: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' });
  });
});

describe('PRIVATE_KEY_JWT configuration', () => {
  it('puts the additional claims in the assertion, an additional aud replacing the issuer, and echoes them', async () => {
    const config = pkjwtConfig('pkjwt-rs256', keys.rsa!, 'RS256', {});
    config.privateKeyJwtConfig!.additionalHeaderClaims = { x5u: 'https://keys.example.com/agent' };
    // Claim values are sensitive in the model: never in a log line (the hygiene check looks for this one).
    const tenant = secretValue('claim');
    config.privateKeyJwtConfig!.additionalPayloadClaims = { aud: `${as.issuer}/token`, tenant };
    const name = await createProvider(config);
    const output = (await control.send(new GetOauth2CredentialProviderCommand({ name }))).oauth2ProviderConfigOutput!.customOauth2ProviderConfig!.privateKeyJwtConfig!;
    expect(output.additionalHeaderClaims).toEqual({ x5u: 'https://keys.example.com/agent' });
    expect(output.additionalPayloadClaims).toEqual({ aud: `${as.issuer}/token`, tenant });
    const wat = (await data.send(new GetWorkloadAccessTokenCommand({ workloadName: await workload() }))).workloadAccessToken!;
    const before = as.requests.length;
    await data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: name, scopes: ['read'], oauth2Flow: 'M2M' }));
    const { header, payload } = decode(as.requests[before]!.assertion!);
    expect(header.x5u).toBe('https://keys.example.com/agent');
    expect(payload).toMatchObject({ aud: `${as.issuer}/token`, tenant, iss: 'pkjwt-rs256' });
  });

  it('switches a provider to PRIVATE_KEY_JWT and back (which needs a client secret again)', async () => {
    const base = { clientId: 'pkjwt-rs256', oauthDiscovery: { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` } };
    const name = await createProvider({ ...base, clientSecret: 'a-client-secret-0123456789', clientAuthenticationMethod: 'CLIENT_SECRET_POST' });
    const update = (config: CustomOauth2ProviderConfigInput) =>
      control.send(new UpdateOauth2CredentialProviderCommand({ name, credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: { customOauth2ProviderConfig: config } }));
    await update(pkjwtConfig('pkjwt-rs256', keys.rsa!, 'RS256'));
    expect((await control.send(new GetOauth2CredentialProviderCommand({ name }))).oauth2ProviderConfigOutput!.customOauth2ProviderConfig!.clientAuthenticationMethod).toBe('PRIVATE_KEY_JWT');
    const back = await failure(update({ ...base, clientAuthenticationMethod: 'CLIENT_SECRET_BASIC' }));
    expect(back.name).toBe('ValidationException');
    expect(JSON.stringify(back.fieldList)).toContain('customOauth2ProviderConfig.clientSecret');
    await update({ ...base, clientAuthenticationMethod: 'CLIENT_SECRET_BASIC', clientSecret: 'another-client-secret-0123456789' });
    const output = (await control.send(new GetOauth2CredentialProviderCommand({ name }))).oauth2ProviderConfigOutput!.customOauth2ProviderConfig!;
    expect(output.clientAuthenticationMethod).toBe('CLIENT_SECRET_BASIC');
    expect(output.privateKeyJwtConfig).toBeUndefined();
  });

  it('accepts an empty clientSecret with PRIVATE_KEY_JWT', async () => {
    const name = await createProvider(pkjwtConfig('pkjwt-es256', keys.ec!, 'ES256', { clientSecret: '' }));
    expect((await control.send(new GetOauth2CredentialProviderCommand({ name }))).name).toBe(name);
  });
});

describe('PRIVATE_KEY_JWT input that is refused, with nothing stored', () => {
  const PREFIX = env.MANAGED_SECRET_PREFIX!;
  const otherRegion = new KMSClient({ endpoint: stack.emulatorEndpoint, region: stack.region === 'eu-west-1' ? 'us-west-2' : 'eu-west-1', credentials });
  const missing = () => keys.rsa!.replace(/key\/.*$/, 'key/00000000-0000-4000-8000-000000000000');
  const withConfig = (mutate: (c: CustomOauth2ProviderConfigInput) => void, keyArn: () => string | Promise<string> = () => keys.rsa!, alg: 'RS256' | 'ES256' | 'PS256' = 'RS256') => async () => {
    const config = pkjwtConfig('pkjwt-rs256', await keyArn(), alg);
    mutate(config);
    return config;
  };
  // By key id: the emulator's DisableKey does not take an ARN.
  const disabledKey = async () => {
    const arn = await createKey('RSA_2048');
    await kms.send(new DisableKeyCommand({ KeyId: arn.split('/').pop()! }));
    return arn;
  };

  it.each([
    ['a disabled key', withConfig(() => {}, disabledKey), 'privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn'],
    ['an ECC key for RS256', withConfig(() => {}, () => keys.ec!, 'RS256'), 'privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn'],
    ['an RSA key for ES256', withConfig(() => {}, () => keys.rsa!, 'ES256'), 'privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn'],
    ['a P-384 key for ES256', withConfig(() => {}, () => createKey('ECC_NIST_P384'), 'ES256'), 'privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn'],
    ['an encryption key', withConfig(() => {}, () => createKey('RSA_2048', 'ENCRYPT_DECRYPT')), 'privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn'],
    ['a key that does not exist', withConfig(() => {}, missing), 'privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn'],
    ['a key in another region', withConfig(() => {}, () => createKey('RSA_2048', 'SIGN_VERIFY', otherRegion)), 'privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn'],
    ['a reserved payload claim (iss)', withConfig((c) => (c.privateKeyJwtConfig!.additionalPayloadClaims = { iss: 'someone-else' })), 'privateKeyJwtConfig.additionalPayloadClaims.iss'],
    ['a reserved payload claim (exp)', withConfig((c) => (c.privateKeyJwtConfig!.additionalPayloadClaims = { exp: '9999999999' })), 'privateKeyJwtConfig.additionalPayloadClaims.exp'],
    ['a reserved header claim (kid)', withConfig((c) => (c.privateKeyJwtConfig!.additionalHeaderClaims = { kid: 'mine' })), 'privateKeyJwtConfig.additionalHeaderClaims.kid'],
    ['a reserved header claim (alg)', withConfig((c) => (c.privateKeyJwtConfig!.additionalHeaderClaims = { alg: 'none' })), 'privateKeyJwtConfig.additionalHeaderClaims.alg'],
    ['PRIVATE_KEY_JWT without privateKeyJwtConfig', withConfig((c) => delete c.privateKeyJwtConfig), 'customOauth2ProviderConfig.privateKeyJwtConfig'],
    ['privateKeyJwtConfig with CLIENT_SECRET_BASIC', withConfig((c) => ((c.clientAuthenticationMethod = 'CLIENT_SECRET_BASIC'), (c.clientSecret = 'a-secret-0123456789'))), 'customOauth2ProviderConfig.clientAuthenticationMethod'],
    ['privateKeyJwtConfig without a method', withConfig((c) => delete c.clientAuthenticationMethod), 'customOauth2ProviderConfig.clientAuthenticationMethod'],
    ['a client secret with PRIVATE_KEY_JWT', withConfig((c) => (c.clientSecret = 'a-secret-0123456789')), 'customOauth2ProviderConfig.clientSecret'],
    ['an external client secret with PRIVATE_KEY_JWT', withConfig((c) => ((c.clientSecretSource = 'EXTERNAL'), (c.clientSecretConfig = { secretId: 'some/secret', jsonKey: 'k' }))), 'customOauth2ProviderConfig.clientSecretConfig'],
    ['no signing algorithm', withConfig((c) => delete c.privateKeyJwtConfig!.signingAlgorithm), 'privateKeyJwtConfig.signingAlgorithm'],
    ['no private key source', withConfig((c) => delete c.privateKeyJwtConfig!.privateKeySource), 'privateKeyJwtConfig.privateKeySource'],
  ])('refuses %s', async (_, build, field) => {
    const name = uniqueName('bad-pkjwt');
    const config = await build();
    const response = await rawCall('/identities/CreateOauth2CredentialProvider', JSON.stringify({ name, credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: { customOauth2ProviderConfig: config } }));
    expect(response.status).toBe(400);
    expect(response.errorType).toBe('ValidationException');
    expect(response.body.fieldList.map((f: { name: string }) => f.name).join(' ')).toContain(field);
    expect((await failure(control.send(new GetOauth2CredentialProviderCommand({ name })))).name).toBe('ResourceNotFoundException');
    const secrets: string[] = [];
    for await (const page of paginateListSecrets({ client: sm }, {})) for (const s of page.SecretList ?? []) if (s.Name?.startsWith(`${PREFIX}oauth2/${name}-`)) secrets.push(s.Name);
    expect(secrets).toEqual([]);
  });

  it('refuses a bad key on update and keeps the provider as it was', async () => {
    const name = await createProvider(pkjwtConfig('pkjwt-es256', keys.ec!, 'ES256'));
    const refused = await failure(
      control.send(new UpdateOauth2CredentialProviderCommand({ name, credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: { customOauth2ProviderConfig: pkjwtConfig('pkjwt-es256', keys.rsa!, 'ES256') } })),
    );
    expect(refused.name).toBe('ValidationException');
    const output = (await control.send(new GetOauth2CredentialProviderCommand({ name }))).oauth2ProviderConfigOutput!.customOauth2ProviderConfig!;
    expect(output.privateKeyJwtConfig?.privateKeySource?.kmsKeySource?.kmsKeyArn).toBe(keys.ec);
  });
});
