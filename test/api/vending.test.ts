import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  CreateApiKeyCredentialProviderCommand,
  CreateWorkloadIdentityCommand,
  DeleteWorkloadIdentityCommand,
  UpdateApiKeyCredentialProviderCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import {
  GetResourceApiKeyCommand,
  GetWorkloadAccessTokenCommand,
  GetWorkloadAccessTokenForJWTCommand,
  GetWorkloadAccessTokenForUserIdCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { generateKeyPairSync } from 'node:crypto';
import { controlClient, dataClient, emulatorSecretsClient, failure, invokeFunction, rawCall, secretValue, stack, uniqueName } from '../setup/clients.js';
import { signJwt } from '../setup/jwt-issuer.js';
import { sampleEvent, useFunctionEnvironment } from '../setup/in-process.js';

const control = controlClient();
const data = dataClient();
const sm = emulatorSecretsClient();
const idp = inject('userTokenIssuer');

async function workload() {
  const name = uniqueName('agent');
  await control.send(new CreateWorkloadIdentityCommand({ name }));
  return name;
}

async function watFor(workloadName: string) {
  return (await data.send(new GetWorkloadAccessTokenCommand({ workloadName }))).workloadAccessToken!;
}

async function managedProvider(apiKey: string) {
  const name = uniqueName('provider');
  await control.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey }));
  return name;
}

async function externalProvider(value: Record<string, string>, jsonKey = 'token') {
  const { ARN } = await sm.send(new CreateSecretCommand({ Name: uniqueName('customer/key'), SecretString: JSON.stringify(value) }));
  const name = uniqueName('ext-provider');
  await control.send(new CreateApiKeyCredentialProviderCommand({ name, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: ARN!, jsonKey } }));
  return { name, arn: ARN! };
}

const vend = (workloadIdentityToken: string, resourceCredentialProviderName: string) =>
  data.send(new GetResourceApiKeyCommand({ workloadIdentityToken, resourceCredentialProviderName }));

const userJwt = (claims: Record<string, unknown> = {}, key = idp.privateKeyPem) => {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(key, idp.kid, { iss: idp.issuer, sub: 'user-123', aud: idp.audience, iat: now, exp: now + 300, ...claims });
};

describe('workload access tokens', () => {
  it('are minted for a workload alone, for a user id, and for a verified user JWT', async () => {
    const name = await workload();
    const plain = await watFor(name);
    const forUser = (await data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: name, userId: 'alice@example.com' }))).workloadAccessToken!;
    const forJwt = (await data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: name, userToken: userJwt() }))).workloadAccessToken!;
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims(plain)).toMatchObject({ sub: name });
    expect(claims(plain).usr).toBeUndefined();
    expect(claims(forUser).usr).toEqual({ kind: 'id', id: 'alice@example.com' });
    expect(claims(forJwt).usr).toEqual({ kind: 'jwt', issuer: idp.issuer, subject: 'user-123' });
    expect(claims(plain).exp - claims(plain).iat).toBe(900);
  });

  it('minted from a user JWT expire no later than the JWT', async () => {
    const name = await workload();
    const soon = Math.floor(Date.now() / 1000) + 60;
    const wat = (await data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: name, userToken: userJwt({ exp: soon }) }))).workloadAccessToken!;
    expect(JSON.parse(Buffer.from(wat.split('.')[1]!, 'base64url').toString()).exp).toBe(soon);
  });

  it('are refused for a workload that does not exist', async () => {
    const workloadName = uniqueName('nobody');
    for (const command of [
      new GetWorkloadAccessTokenCommand({ workloadName }),
      new GetWorkloadAccessTokenForUserIdCommand({ workloadName, userId: 'u' }),
      new GetWorkloadAccessTokenForJWTCommand({ workloadName, userToken: userJwt() }),
    ]) {
      expect((await failure(data.send(command as never))).name).toBe('ResourceNotFoundException');
    }
  });

  it.each([
    ['expired', () => userJwt({ exp: Math.floor(Date.now() / 1000) - 60 })],
    ['forged (signed by another key)', () => userJwt({}, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())],
    ['for another audience', () => userJwt({ aud: 'someone-else' })],
    ['from an issuer this deployment does not trust', () => userJwt({ iss: 'https://evil.example.com' })],
    ['not a JWT at all', () => 'not-a-jwt'],
  ])('ForJWT refuses a user token that is %s', async (_, token) => {
    const error = await failure(data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: await workload(), userToken: token() })));
    expect(error.name).toBe('UnauthorizedException');
    expect(error.$metadata.httpStatusCode).toBe(401);
  });

  it.each([
    ['GetWorkloadAccessToken', {}, 'workloadName'],
    ['GetWorkloadAccessToken', { workloadName: 'a b' }, 'workloadName'],
    ['GetWorkloadAccessTokenForUserId', { workloadName: 'valid-name' }, 'userId'],
    ['GetWorkloadAccessTokenForJWT', { workloadName: 'valid-name', userToken: '' }, 'userToken'],
    ['api-key', { workloadIdentityToken: 'x' }, 'resourceCredentialProviderName'],
  ])('%s refuses %j', async (path, body, field) => {
    const response = await rawCall(`/identities/${path}`, JSON.stringify(body));
    expect(response.status).toBe(400);
    expect(response.errorType).toBe('ValidationException');
    expect(response.body.fieldList.map((f: { name: string }) => f.name)).toContain(field);
  });
});

describe('GetResourceApiKey', () => {
  it('returns a MANAGED provider key and an EXTERNAL one from its JSON key', async () => {
    const name = await workload();
    const wat = await watFor(name);
    const managedKey = secretValue('vend-managed');
    expect((await vend(wat, await managedProvider(managedKey))).apiKey).toBe(managedKey);
    const externalKey = secretValue('vend-external');
    const { name: external } = await externalProvider({ token: externalKey, unrelated: 'x' });
    expect((await vend(wat, external)).apiKey).toBe(externalKey);
    const userWat = (await data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: name, userId: 'bob' }))).workloadAccessToken!;
    expect((await vend(userWat, external)).apiKey).toBe(externalKey);
  });

  it('refuses a tampered token, a token of another deployment key, and garbage', async () => {
    const name = await workload();
    const provider = await managedProvider(secretValue('tamper'));
    const wat = await watFor(name);
    const [header, claims, signature] = wat.split('.');
    const otherClaims = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claims!, 'base64url').toString()), sub: 'someone-else' })).toString('base64url');
    for (const token of [`${header}.${otherClaims}.${signature}`, `${header}.${claims}.${signature!.slice(0, -4)}AAAA`, 'garbage', `${header}.${claims}`]) {
      const error = await failure(vend(token, provider));
      expect(error.name).toBe('UnauthorizedException');
    }
  });

  it('refuses an expired token', async () => {
    useFunctionEnvironment();
    const { SecretsManagerServiceKeys } = await import('../../lib/keys/secrets-manager-keys.js');
    const { secretsManagerClient } = await import('../../lib/aws/clients.js');
    const { config } = await import('../../lib/config.js');
    const { WorkloadAccessTokens, watIssuer } = await import('../../lib/workload-access-tokens/workload-access-token.js');
    const name = await workload();
    const provider = await managedProvider(secretValue('expired'));
    const fresh = JSON.parse(Buffer.from((await watFor(name)).split('.')[1]!, 'base64url').toString());
    // Signed with the deployment's real key, but an hour ago with a 15-minute lifetime.
    const old = new WorkloadAccessTokens(new SecretsManagerServiceKeys(secretsManagerClient(), { secretId: config.serviceKeysSecretId, maxAgeSeconds: config.secretCacheMaxAgeSeconds }), { lifetimeSeconds: 900, now: () => Date.now() - 3_600_000 });
    const expired = await old.mint(watIssuer({ partition: 'aws', region: stack.region, accountId: stack.accountId }), { workloadName: name, workloadCreatedTime: fresh.wct });
    const error = await failure(vend(expired, provider));
    expect(error.name).toBe('UnauthorizedException');
    expect(error.message).toMatch(/expired/);
  });

  it('refuses the token of a deleted workload, even after a workload of the same name is created again', async () => {
    const name = await workload();
    const provider = await managedProvider(secretValue('deleted'));
    const wat = await watFor(name);
    await control.send(new DeleteWorkloadIdentityCommand({ name }));
    expect((await failure(vend(wat, provider))).name).toBe('UnauthorizedException');
    await control.send(new CreateWorkloadIdentityCommand({ name }));
    expect((await failure(vend(wat, provider))).name).toBe('UnauthorizedException');
    expect((await vend(await watFor(name), provider)).apiKey).toBeTruthy();
  });

  it('answers ResourceNotFoundException for a provider that does not exist', async () => {
    const error = await failure(vend(await watFor(await workload()), uniqueName('none')));
    expect(error.name).toBe('ResourceNotFoundException');
  });

  it('serves the new key right after a MANAGED update', async () => {
    const wat = await watFor(await workload());
    const provider = await managedProvider(secretValue('before'));
    expect((await vend(wat, provider)).apiKey).toMatch(/^sekret-before-/);
    const after = secretValue('after');
    await control.send(new UpdateApiKeyCredentialProviderCommand({ name: provider, apiKey: after }));
    expect((await vend(wat, provider)).apiKey).toBe(after);
  });
});

describe('rotation of an EXTERNAL secret', () => {
  it('serves the new value once the rotation event is delivered to the rotation function', async () => {
    const wat = await watFor(await workload());
    const { name, arn } = await externalProvider({ token: secretValue('rot-1') });
    expect((await vend(wat, name)).apiKey).toMatch(/^sekret-rot-1-/);
    const next = secretValue('rot-2');
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ token: next }) }));
    const event = sampleEvent('secretsmanager/put-secret-value.json');
    event.detail.requestParameters.secretId = arn;
    event.detail.responseElements.arn = arn;
    expect(await invokeFunction('secretRotation', event)).toEqual({ invalidated: 1 });
    expect((await vend(wat, name)).apiKey).toBe(next);
  });

  it('is picked up offline within about two seconds with no event sent by hand (npm start watches provider secrets)', async () => {
    const wat = await watFor(await workload());
    const { name, arn } = await externalProvider({ token: secretValue('watch-1') });
    expect((await vend(wat, name)).apiKey).toMatch(/^sekret-watch-1-/);
    const next = secretValue('watch-2');
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ token: next }) }));
    await expect.poll(async () => (await vend(wat, name)).apiKey, { timeout: 5000, interval: 250 }).toBe(next);
  });

  it('says clearly that a rotation removed the JSON key, without the secret', async () => {
    const wat = await watFor(await workload());
    const { name, arn } = await externalProvider({ token: secretValue('gone') });
    await vend(wat, name);
    const other = secretValue('other');
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ renamed: other }) }));
    const event = sampleEvent('secretsmanager/rotation-succeeded.json');
    event.detail.additionalEventData.SecretId = arn;
    await invokeFunction('secretRotation', event);
    const error = await failure(vend(wat, name));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toContain('"token"');
    expect(error.message).not.toContain(other);
  });
});

describe('the bedrock-agentcore TypeScript SDK', () => {
  it('withApiKey gets the key end to end through AWS_ENDPOINT_URL_BEDROCK_AGENTCORE', async () => {
    const key = secretValue('sdk');
    const provider = await managedProvider(key);
    const wat = await watFor(await workload());
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: stack.url, AWS_REGION: stack.region, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    try {
      const { withApiKey } = await import('bedrock-agentcore/identity');
      const callVendor = withApiKey({ providerName: provider, workloadIdentityToken: wat })(async (query: string, apiKey: string) => ({ query, apiKey }));
      expect(await callVendor('repos')).toEqual({ query: 'repos', apiKey: key });
    } finally {
      process.env = saved;
    }
  });
});
