import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { CreateWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import {
  CompleteResourceTokenAuthCommand,
  GetWorkloadAccessTokenForJWTCommand,
  GetWorkloadAccessTokenForUserIdCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { REFUSED } from '../../lib/token-vault/vault.js';
import { userConnectionsClient, type UserConnection, type UserConnectionsError } from '../../lib/user-connections/client.js';
import { CLIENTS, consentInBrowser } from '../setup/authorization-server.js';
import { controlClient, createCustomOauth2Provider, dataClient, emulatorDocumentClient, failure, rawCall, rememberSecret, stack, uniqueName, USER_SCOPES, vendForUser } from '../setup/clients.js';
import { revocations } from './consent-portals-fixture.js';
import { signJwt } from '../setup/jwt-issuer.js';
import { vaultSlotId } from '../setup/vault-clock.js';

/**
 * The extension operations through their own client over HTTP, against connections made through
 * the real 3-legged flow at the test authorization server (oidc-provider).
 */

const control = controlClient();
const data = dataClient();
const ddb = emulatorDocumentClient();
const as = inject('authorizationServer');
const idp = inject('userTokenIssuer');
const env = stack.functionEnvironment;
const CALLBACK = `${stack.url}/identities/oauth2/callback`;
const RETURN_URL = 'https://app.example.com/oauth/done';
const ARN = `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}`;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const connections = userConnectionsClient({ endpoint: stack.url, region: stack.region, credentials });

type Wat = { token: string };
const userId = uniqueName('user');
const subject = uniqueName('sub');
const names = { w1: uniqueName('agent'), w2: uniqueName('agent'), w3: uniqueName('agent'), p1: '', p2: '' };
const wats = new Map<string, Wat>();

function userJwt(sub: string) {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(idp.privateKeyPem, idp.kid, { iss: idp.issuer, sub, aud: idp.audience, iat: now, exp: now + 600 });
}

const vend = vendForUser;

/** The 3-legged flow for one user of one workload and provider, ending with a token from the vault. */
async function connect(workload: string, provider: string, user: { userId: string } | { jwt: string }) {
  const minted = 'userId' in user
    ? await data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: workload, userId: user.userId }))
    : await data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: workload, userToken: user.jwt }));
  const wat = minted.workloadAccessToken!;
  wats.set(`${workload}/${'userId' in user ? user.userId : 'jwt'}`, { token: wat });
  const started = await vend(wat, provider, { resourceOauth2ReturnUrl: RETURN_URL });
  const callbackUrl = await consentInBrowser(started.authorizationUrl!, CALLBACK);
  expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(302);
  const userIdentifier = 'userId' in user ? { userId: user.userId } : { userToken: user.jwt };
  await data.send(new CompleteResourceTokenAuthCommand({ sessionUri: started.sessionUri!, userIdentifier }));
  rememberSecret((await vend(wat, provider, { sessionUri: started.sessionUri })).accessToken!);
}

const pairs = (list: UserConnection[]) => list.map((c) => `${c.workloadName}/${c.credentialProviderName}`);
const sorted = (...keys: string[]) => [...keys].sort((a, b) => (JSON.stringify(a.split('/')) < JSON.stringify(b.split('/')) ? -1 : 1));

beforeAll(async () => {
  for (const w of [names.w1, names.w2, names.w3]) await control.send(new CreateWorkloadIdentityCommand({ name: w, allowedResourceOauth2ReturnUrls: [RETURN_URL] }));
  const discovery = { oauthDiscovery: { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` } };
  names.p1 = await createCustomOauth2Provider(control, { clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret, ...discovery });
  names.p2 = await createCustomOauth2Provider(control, { clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret, ...discovery });
  await connect(names.w1, names.p1, { userId });
  await connect(names.w1, names.p2, { userId });
  await connect(names.w2, names.p1, { userId });
  await connect(names.w3, names.p1, { userId });
  await connect(names.w1, names.p1, { jwt: userJwt(subject) });
}, 120_000);

describe('ListUserConnections', () => {
  it('lists a user named by userId: every workload and provider, sorted, with ARNs, scopes and times', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { connections: listed, nextToken } = await connections.listUserConnections({ userId });
    expect(nextToken).toBeUndefined();
    expect(pairs(listed)).toEqual(sorted(`${names.w1}/${names.p1}`, `${names.w1}/${names.p2}`, `${names.w2}/${names.p1}`, `${names.w3}/${names.p1}`));
    const one = listed.find((c) => c.workloadName === names.w2)!;
    expect(one).toMatchObject({
      workloadIdentityArn: `${ARN}:workload-identity-directory/default/workload-identity/${names.w2}`,
      credentialProviderName: names.p1,
      credentialProviderArn: `${ARN}:token-vault/default/oauth2credentialprovider/${names.p1}`,
      scopes: USER_SCOPES,
      status: 'CONNECTED',
    });
    expect(one.connectedAt).toBeLessThanOrEqual(before + 1);
    expect(one.connectedAt).toBeGreaterThan(before - 600);
    expect(one.expiresAt!).toBeGreaterThan(before);
  });

  it('lists a user named by issuer and subject; other users see nothing', async () => {
    const byJwt = await connections.listUserConnections({ userIssuer: idp.issuer, userSubject: subject });
    expect(pairs(byJwt.connections)).toEqual([`${names.w1}/${names.p1}`]);
    expect((await connections.listUserConnections({ userId: uniqueName('nobody') })).connections).toEqual([]);
    expect((await connections.listUserConnections({ userIssuer: idp.issuer, userSubject: userId })).connections).toEqual([]);
    expect((await connections.listUserConnections({ userId: subject })).connections).toEqual([]);
  });

  it('filters by workload', async () => {
    const { connections: listed } = await connections.listUserConnections({ userId, workloadName: names.w1 });
    expect(pairs(listed)).toEqual(sorted(`${names.w1}/${names.p1}`, `${names.w1}/${names.p2}`));
    expect((await connections.listUserConnections({ userId, workloadName: uniqueName('none') })).connections).toEqual([]);
  });

  it('pages with tokens that belong to their user and filter', async () => {
    const all = pairs((await connections.listUserConnections({ userId })).connections);
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await connections.listUserConnections({ userId, maxResults: 1, ...(nextToken ? { nextToken } : {}) });
      expect(page.connections.length).toBe(1);
      seen.push(...pairs(page.connections));
      nextToken = page.nextToken;
      if (nextToken) {
        const foreign = (await failure(connections.listUserConnections({ userIssuer: idp.issuer, userSubject: subject, nextToken }))) as unknown as UserConnectionsError;
        expect([foreign.name, foreign.fieldList]).toEqual(['ValidationException', [{ name: 'nextToken', message: expect.any(String) }]]);
      }
    } while (nextToken);
    expect(seen).toEqual(all);
  });

  it('says NEEDS_CONSENT where the vault keeps a refused refresh', async () => {
    const workload = (await ddb.send(new GetCommand({ TableName: env.WORKLOAD_IDENTITIES_TABLE!, Key: { directory: 'default', name: names.w3 } }))).Item!;
    // What the vault records when the provider answers a refresh with invalid_grant.
    await ddb.send(
      new UpdateCommand({
        TableName: env.TOKEN_VAULT_TABLE!,
        Key: { pk: vaultSlotId(names.w3, workload.createdTime, userId, names.p1) },
        UpdateExpression: 'SET refreshFailure = :refused, refreshFailedUntil = :until',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':refused': REFUSED, ':until': Date.now() + 5_000 },
      }),
    );
    const { connections: listed } = await connections.listUserConnections({ userId, workloadName: names.w3 });
    expect(listed.map((c) => c.status)).toEqual(['NEEDS_CONSENT']);
  });
});

describe('RevokeUserConnection', () => {
  it('revokes at the provider and deletes the binding: the next vend asks for consent again; then there is nothing to revoke', async () => {
    const before = await revocations();
    const input = { userId, workloadName: names.w2, credentialProviderName: names.p1 };
    expect(await connections.revokeUserConnection(input)).toEqual({ revocation: 'REVOKED' });
    expect(await revocations()).toBeGreaterThan(before);
    expect(pairs((await connections.listUserConnections({ userId })).connections)).not.toContain(`${names.w2}/${names.p1}`);
    const again = await vend(wats.get(`${names.w2}/${userId}`)!.token, names.p1, { resourceOauth2ReturnUrl: RETURN_URL });
    expect(again.accessToken).toBeUndefined();
    expect(again.authorizationUrl).toMatch(/^http/);
    const missing = (await failure(connections.revokeUserConnection(input))) as unknown as UserConnectionsError;
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', 404]);
    // The other user of the same workload and provider keeps theirs.
    expect((await connections.listUserConnections({ userIssuer: idp.issuer, userSubject: subject })).connections).toHaveLength(1);
  });
});

describe('bad input', () => {
  const fieldOf = async (call: Promise<unknown>) => {
    const error = (await failure(call)) as unknown as UserConnectionsError;
    expect(error.name, error.message).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    return error.fieldList?.map((f) => f.name);
  };
  const revoke = { workloadName: names.w1, credentialProviderName: 'x' };

  it('refuses each bad list input, naming its field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'userId'],
      [{ userId, userIssuer: idp.issuer, userSubject: subject }, 'userId'],
      [{ userSubject: subject }, 'userIssuer'],
      [{ userIssuer: idp.issuer }, 'userSubject'],
      [{ userId: '' }, 'userId'],
      [{ userId: 'u'.repeat(129) }, 'userId'],
      [{ userIssuer: 'ftp://idp.example', userSubject: 's' }, 'userIssuer'],
      [{ userIssuer: idp.issuer, userSubject: 's'.repeat(256) }, 'userSubject'],
      [{ userId, workloadName: 'no spaces allowed' }, 'workloadName'],
      [{ userId, maxResults: 0 }, 'maxResults'],
      [{ userId, maxResults: 101 }, 'maxResults'],
      [{ userId, maxResults: '5' }, 'maxResults'],
      [{ userId, nextToken: 'not-a-token' }, 'nextToken'],
      [{ userId, colour: 'blue' }, 'colour'],
    ];
    for (const [input, field] of cases) expect(await fieldOf(connections.listUserConnections(input as never)), JSON.stringify(input)).toEqual([field]);
  });

  it('refuses each bad revoke input and deletes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...revoke, credentialProviderName: names.p2 }, 'userId'],
      [{ userId, userIssuer: idp.issuer, userSubject: subject, workloadName: names.w1, credentialProviderName: names.p2 }, 'userId'],
      [{ userId, credentialProviderName: names.p2 }, 'workloadName'],
      [{ userId, workloadName: names.w1 }, 'credentialProviderName'],
      [{ userId, workloadName: names.w1, credentialProviderName: 'bad name' }, 'credentialProviderName'],
      [{ userId, workloadName: 'ab', credentialProviderName: names.p2 }, 'workloadName'],
      [{ userId, workloadName: names.w1, credentialProviderName: names.p2, force: true }, 'force'],
    ];
    for (const [input, field] of cases) expect(await fieldOf(connections.revokeUserConnection(input as never)), JSON.stringify(input)).toEqual([field]);
    const notJson = await rawCall('/extensions/RevokeUserConnection', `{"userId": "${userId}", `);
    expect([notJson.status, notJson.errorType]).toEqual([400, 'ValidationException']);
    expect(pairs((await connections.listUserConnections({ userId, workloadName: names.w1 })).connections)).toEqual(sorted(`${names.w1}/${names.p1}`, `${names.w1}/${names.p2}`));
  });
});

describe('authorization (iam-policies): actions of their own, agentcore-identity:<Operation>', () => {
  const iam = new IAMClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials });
  const asUser = async (...Statement: object[]) => {
    const name = uniqueName('operator');
    const { User } = await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement }) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    const client = userConnectionsClient({ endpoint: stack.url, region: stack.region, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } });
    return { arn: User!.Arn!, client };
  };
  const denied = async (call: Promise<unknown>, principal: string, action: string, resource: string) => {
    const error = (await failure(call)) as unknown as UserConnectionsError;
    expect([error.name, error.$metadata.httpStatusCode, error.message]).toEqual(['AccessDeniedException', 403, `User: ${principal} is not authorized to perform: ${action} on resource: ${resource}`]);
  };
  const providerArn = (name: string) => `${ARN}:token-vault/default/oauth2credentialprovider/${name}`;

  it('lists when agentcore-identity:ListUserConnections is allowed; bedrock-agentcore:* is not enough', async () => {
    const operator = await asUser({ Effect: 'Allow', Action: 'agentcore-identity:ListUserConnections', Resource: `${ARN}:token-vault/default` });
    expect(pairs((await operator.client.listUserConnections({ userIssuer: idp.issuer, userSubject: subject })).connections)).toEqual([`${names.w1}/${names.p1}`]);
    const agentCoreAdmin = await asUser({ Effect: 'Allow', Action: 'bedrock-agentcore:*', Resource: '*' });
    await denied(agentCoreAdmin.client.listUserConnections({ userId }), agentCoreAdmin.arn, 'agentcore-identity:ListUserConnections', `${ARN}:token-vault/default`);
    const input = { userId, workloadName: names.w1, credentialProviderName: names.p1 };
    await denied(agentCoreAdmin.client.revokeUserConnection(input), agentCoreAdmin.arn, 'agentcore-identity:RevokeUserConnection', providerArn(names.p1));
  });

  it('revokes where both the provider and the workload allow it; denied on another provider or workload, which keep their bindings', async () => {
    const workloadArn = (name: string) => `${ARN}:workload-identity-directory/default/workload-identity/${name}`;
    const operator = await asUser({ Effect: 'Allow', Action: 'agentcore-identity:RevokeUserConnection', Resource: [providerArn(names.p2), workloadArn(names.w1)] });
    await denied(operator.client.revokeUserConnection({ userId, workloadName: names.w1, credentialProviderName: names.p1 }), operator.arn, 'agentcore-identity:RevokeUserConnection', providerArn(names.p1));
    // Allowed on the provider but not on the workload: a team given its own workloads' connections only.
    const providerOnly = await asUser({ Effect: 'Allow', Action: 'agentcore-identity:RevokeUserConnection', Resource: providerArn(names.p2) });
    await denied(providerOnly.client.revokeUserConnection({ userId, workloadName: names.w1, credentialProviderName: names.p2 }), providerOnly.arn, 'agentcore-identity:RevokeUserConnection', workloadArn(names.w1));
    expect(pairs((await connections.listUserConnections({ userId, workloadName: names.w1 })).connections)).toEqual([`${names.w1}/${names.p1}`, `${names.w1}/${names.p2}`].sort());
    expect(await operator.client.revokeUserConnection({ userId, workloadName: names.w1, credentialProviderName: names.p2 })).toEqual({ revocation: 'REVOKED' });
    expect(pairs((await connections.listUserConnections({ userId, workloadName: names.w1 })).connections)).toEqual([`${names.w1}/${names.p1}`]);
  });
});
