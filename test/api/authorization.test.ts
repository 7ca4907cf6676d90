import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  BedrockAgentCoreControlClient,
  CreateApiKeyCredentialProviderCommand,
  CreateWorkloadIdentityCommand,
  DeleteWorkloadIdentityCommand,
  GetApiKeyCredentialProviderCommand,
  GetWorkloadIdentityCommand,
  TagResourceCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { BedrockAgentCoreClient, GetResourceApiKeyCommand, GetWorkloadAccessTokenCommand } from '@aws-sdk/client-bedrock-agentcore';
import { IamIdentityPolicies } from '../../lib/authorization/identity-policies.js';
import { DynamoDbSharedPolicies } from '../../lib/authorization/shared-policies.js';
import { evaluate } from '../../lib/authorization/evaluate.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { controlClient, dataClient, emulatorDocumentClient, failure, secretValue, stack, uniqueName } from '../setup/clients.js';

/**
 * Authorization as AgentCore users write it (issue 11): the official clients sign as IAM users and
 * roles created here in the emulator's IAM (roles through its STS AssumeRole), and the service
 * judges each call against their identity policies, read from that IAM.
 */

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const emulator = { endpoint: stack.emulatorEndpoint, region: stack.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const iam = new IAMClient(emulator);
const sts = new STSClient(emulator);
const ARN = `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}`;
const providerArn = (name: string) => `${ARN}:token-vault/default/apikeycredentialprovider/${name}`;
const workloadArn = (name: string) => `${ARN}:workload-identity-directory/default/workload-identity/${name}`;

const document = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[], extra: object = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });
const deny = (Action: string | string[], Resource: string | string[], extra: object = {}) => ({ Effect: 'Deny', Action, Resource, ...extra });

const control = (credentials: Credentials) => new BedrockAgentCoreControlClient({ endpoint: stack.url, region: stack.region, credentials, maxAttempts: 1 });
const data = (credentials: Credentials) => new BedrockAgentCoreClient({ endpoint: stack.url, region: stack.region, credentials, maxAttempts: 1 });

/** An IAM user with the given inline policy and an access key; its ARN and credentials. */
async function userWith(policy?: string, tags?: Record<string, string>): Promise<{ arn: string; name: string; credentials: Credentials }> {
  const name = uniqueName('user');
  const Tags = tags && Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  const { User } = await iam.send(new CreateUserCommand({ UserName: name, Tags }));
  if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: policy }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { arn: User!.Arn!, name, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } };
}

/** A role with the given inline policy, and a session of it (STS AssumeRole). */
async function sessionOf(policy: string, PermissionsBoundary?: string): Promise<{ arn: string; credentials: Credentials }> {
  const name = uniqueName('role');
  const trust = document({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${stack.accountId}:root` }, Action: 'sts:AssumeRole' });
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, PermissionsBoundary }));
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'inline', PolicyDocument: policy }));
  const { Credentials, AssumedRoleUser } = await sts.send(new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'gateway' }));
  return { arn: AssumedRoleUser!.Arn!, credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! } };
}

async function expectDenied(promise: Promise<unknown>, principal: string, action: string, resource: string) {
  const error = await failure(promise);
  expect(error.name).toBe('AccessDeniedException');
  expect(error.$metadata.httpStatusCode).toBe(403);
  expect(error.message).toBe(`User: ${principal} is not authorized to perform: bedrock-agentcore:${action} on resource: ${resource}`);
}

// Set up as the account's root (the `local` key the emulator did not issue).
const gateway = uniqueName('gw');
const own = { workload: `${gateway}-agent`, other: uniqueName('other'), provider: uniqueName('allowed'), otherProvider: uniqueName('denied') };

beforeAll(async () => {
  const root = controlClient();
  await root.send(new CreateWorkloadIdentityCommand({ name: own.workload }));
  await root.send(new CreateWorkloadIdentityCommand({ name: own.other }));
  await root.send(new CreateApiKeyCredentialProviderCommand({ name: own.provider, apiKey: secretValue('authz-allowed') }));
  await root.send(new CreateApiKeyCredentialProviderCommand({ name: own.otherProvider, apiKey: secretValue('authz-denied') }));
});

describe('the seed 003 policies, as written', () => {
  it('a gateway role mints WATs for its own workloads only and vends from the one provider it is allowed', async () => {
    const role = await sessionOf(
      document(
        allow('bedrock-agentcore:GetWorkloadAccessToken', `${ARN}:workload-identity-directory/default/workload-identity/${gateway}-*`),
        allow('bedrock-agentcore:GetResourceApiKey', providerArn(own.provider)),
      ),
    );
    expect(role.arn).toMatch(/:assumed-role\//);
    const client = data(role.credentials);
    const wat = (await client.send(new GetWorkloadAccessTokenCommand({ workloadName: own.workload }))).workloadAccessToken!;
    await expectDenied(client.send(new GetWorkloadAccessTokenCommand({ workloadName: own.other })), role.arn, 'GetWorkloadAccessToken', workloadArn(own.other));
    const { apiKey } = await client.send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: own.provider }));
    expect(apiKey).toMatch(/^sekret-authz-allowed-/);
    await expectDenied(
      client.send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: own.otherProvider })),
      role.arn,
      'GetResourceApiKey',
      providerArn(own.otherProvider),
    );
  });

  it('a WAT minted by a principal without the vend permission cannot vend, whoever presents it', async () => {
    const minter = await userWith(document(allow('bedrock-agentcore:GetWorkloadAccessToken', workloadArn(own.workload))));
    const wat = (await data(minter.credentials).send(new GetWorkloadAccessTokenCommand({ workloadName: own.workload }))).workloadAccessToken!;
    // The root's client presents it: the vend is judged against the minter's policies.
    await expectDenied(
      dataClient().send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: own.provider })),
      minter.arn,
      'GetResourceApiKey',
      providerArn(own.provider),
    );
  });
});

describe('IAM evaluation logic', () => {
  it('an explicit Deny in a group’s managed policy beats the user’s Allow, and nothing is deleted', async () => {
    const user = await userWith(document(allow('bedrock-agentcore:*', '*')));
    const group = uniqueName('group');
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: user.name }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('no-delete'), PolicyDocument: document(deny('bedrock-agentcore:Delete*', '*')) }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: Policy!.Arn! }));
    const client = control(user.credentials);
    await client.send(new GetWorkloadIdentityCommand({ name: own.other }));
    await expectDenied(client.send(new DeleteWorkloadIdentityCommand({ name: own.other })), user.arn, 'DeleteWorkloadIdentity', workloadArn(own.other));
    expect((await controlClient().send(new GetWorkloadIdentityCommand({ name: own.other }))).name).toBe(own.other);
  });

  // moto has no PutUserPermissionsBoundary; a role takes its boundary when created.
  it('a permissions boundary caps the role’s Allow', async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('boundary'), PolicyDocument: document(allow('bedrock-agentcore:Get*', '*')) }));
    const role = await sessionOf(document(allow('bedrock-agentcore:*', '*')), Policy!.Arn!);
    const client = control(role.credentials);
    expect((await client.send(new GetWorkloadIdentityCommand({ name: own.other }))).name).toBe(own.other);
    await expectDenied(client.send(new DeleteWorkloadIdentityCommand({ name: own.other })), role.arn, 'DeleteWorkloadIdentity', workloadArn(own.other));
  });

  it('NotResource allows every resource but the ones it names', async () => {
    const user = await userWith(document({ Effect: 'Allow', Action: 'bedrock-agentcore:GetApiKeyCredentialProvider', NotResource: providerArn(own.otherProvider) }));
    const client = control(user.credentials);
    expect((await client.send(new GetApiKeyCredentialProviderCommand({ name: own.provider }))).name).toBe(own.provider);
    await expectDenied(client.send(new GetApiKeyCredentialProviderCommand({ name: own.otherProvider })), user.arn, 'GetApiKeyCredentialProvider', providerArn(own.otherProvider));
  });

  it('a tag condition on the request: a Create with the allowed tag passes, another writes nothing', async () => {
    const user = await userWith(document(allow('bedrock-agentcore:CreateWorkloadIdentity', '*', { Condition: { StringEquals: { 'aws:RequestTag/team': 'blue' } } })));
    const client = control(user.credentials);
    const blue = uniqueName('blue');
    await client.send(new CreateWorkloadIdentityCommand({ name: blue, tags: { team: 'blue' } }));
    const red = uniqueName('red');
    await expectDenied(client.send(new CreateWorkloadIdentityCommand({ name: red, tags: { team: 'red' } })), user.arn, 'CreateWorkloadIdentity', `${ARN}:workload-identity-directory/default`);
    expect((await failure(controlClient().send(new GetWorkloadIdentityCommand({ name: red })))).name).toBe('ResourceNotFoundException');
  });

  it('a tag condition on the resource: a vend from a provider tagged for the team passes, from another is denied', async () => {
    await controlClient().send(new TagResourceCommand({ resourceArn: providerArn(own.provider), tags: { team: 'blue' } }));
    const role = await sessionOf(
      document(
        allow('bedrock-agentcore:GetWorkloadAccessToken', workloadArn(own.workload)),
        allow('bedrock-agentcore:GetResourceApiKey', '*', { Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } } }),
      ),
    );
    const client = data(role.credentials);
    const wat = (await client.send(new GetWorkloadAccessTokenCommand({ workloadName: own.workload }))).workloadAccessToken!;
    expect((await client.send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: own.provider }))).apiKey).toMatch(/^sekret-authz-allowed-/);
    await expectDenied(
      client.send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: own.otherProvider })),
      role.arn,
      'GetResourceApiKey',
      providerArn(own.otherProvider),
    );
  });

  it('a principal tag condition: a user’s own tags count; a role’s never allow (a session tag could override them)', async () => {
    const byTeam = document(allow('bedrock-agentcore:GetWorkloadIdentity', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }));
    const blue = await userWith(byTeam, { team: 'blue' });
    expect((await control(blue.credentials).send(new GetWorkloadIdentityCommand({ name: own.other }))).name).toBe(own.other);
    const red = await userWith(byTeam, { team: 'red' });
    await expectDenied(control(red.credentials).send(new GetWorkloadIdentityCommand({ name: own.other })), red.arn, 'GetWorkloadIdentity', workloadArn(own.other));
    const role = await sessionOf(byTeam);
    await expectDenied(control(role.credentials).send(new GetWorkloadIdentityCommand({ name: own.other })), role.arn, 'GetWorkloadIdentity', workloadArn(own.other));
  });

  // IAM itself refuses operators it does not know; these are IAM's, but not the evaluator's.
  it('a condition operator the evaluator does not know never allows, and as a Deny it denies', async () => {
    const unknownAllow = await userWith(document(allow('bedrock-agentcore:GetWorkloadIdentity', '*', { Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } })));
    await expectDenied(control(unknownAllow.credentials).send(new GetWorkloadIdentityCommand({ name: own.other })), unknownAllow.arn, 'GetWorkloadIdentity', workloadArn(own.other));
    const unknownDeny = await userWith(document(allow('bedrock-agentcore:*', '*'), deny('bedrock-agentcore:*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })));
    await expectDenied(control(unknownDeny.credentials).send(new GetWorkloadIdentityCommand({ name: own.other })), unknownDeny.arn, 'GetWorkloadIdentity', workloadArn(own.other));
  });

  it('a user with no policy is denied; the `local` key the emulator did not issue acts as root', async () => {
    const nobody = await userWith();
    await expectDenied(control(nobody.credentials).send(new GetWorkloadIdentityCommand({ name: own.other })), nobody.arn, 'GetWorkloadIdentity', workloadArn(own.other));
    expect((await controlClient().send(new GetWorkloadIdentityCommand({ name: own.other }))).name).toBe(own.other);
  });
});

describe('freshness of the policies', () => {
  it('a policy change applies once the cache bound has passed, and a warm decision makes no IAM call', async () => {
    let now = 1_000_000;
    const policies = new IamIdentityPolicies(iam, { maxAgeMs: 60_000, now: () => now });
    const user = await userWith(document(allow('bedrock-agentcore:GetWorkloadIdentity', '*')));
    const request = { action: 'bedrock-agentcore:GetWorkloadIdentity', resource: workloadArn(own.other), context: {} };
    const decide = async () => evaluate((await policies.policiesOf({ kind: 'user', name: user.name, account: stack.accountId })).identity, request).decision;
    expect(await decide()).toBe('allow');
    const cold = policies.calls;
    expect(cold).toBeGreaterThan(0);
    expect(await decide()).toBe('allow');
    expect(policies.calls).toBe(cold);
    await iam.send(new PutUserPolicyCommand({ UserName: user.name, PolicyName: 'inline', PolicyDocument: document(deny('bedrock-agentcore:*', '*')) }));
    now += 59_999;
    expect(await decide()).toBe('allow');
    now += 1;
    expect(await decide()).toBe('deny');
  });

  it('a second container takes the policies from the shared entry with no IAM call; an entry older than the bound is read again from IAM', async () => {
    /** IAM calls counted on the wire, by a middleware on the real client. */
    const counted = () => {
      const client = new IAMClient(emulator);
      const count = { calls: 0 };
      client.middlewareStack.add((next) => (args) => ((count.calls += 1), next(args)), { step: 'initialize', name: 'countIamCalls' });
      return { client, count };
    };
    const table = stack.functionEnvironment.CREDENTIAL_PROVIDERS_TABLE!;
    const shared = new DynamoDbSharedPolicies(emulatorDocumentClient(), table, 120);
    let now = Date.now();
    const container = (iamClient: IAMClient) => new IamIdentityPolicies(iamClient, { maxAgeMs: 60_000, now: () => now, shared });
    const user = await userWith(document(allow('bedrock-agentcore:GetWorkloadIdentity', '*')));
    const request = { action: 'bedrock-agentcore:GetWorkloadIdentity', resource: workloadArn(own.other), context: {} };
    const decide = async (policies: IamIdentityPolicies) => evaluate((await policies.policiesOf({ kind: 'user', name: user.name, account: stack.accountId })).identity, request).decision;

    const first = counted();
    expect(await decide(container(first.client))).toBe('allow');
    expect(first.count.calls).toBeGreaterThan(0);
    const stored = (await emulatorDocumentClient().send(new GetCommand({ TableName: table, Key: { kind: 'iam-principal', name: user.arn } }))).Item!;
    expect(stored.readAt).toBe(now);

    const second = counted();
    expect(await decide(container(second.client))).toBe('allow');
    expect(second.count.calls).toBe(0);

    await iam.send(new PutUserPolicyCommand({ UserName: user.name, PolicyName: 'inline', PolicyDocument: document(deny('bedrock-agentcore:*', '*')) }));
    now += 59_999;
    const third = counted();
    expect(await decide(container(third.client))).toBe('allow');
    expect(third.count.calls).toBe(0);
    now += 1;
    const fourth = counted();
    expect(await decide(container(fourth.client))).toBe('deny');
    expect(fourth.count.calls).toBeGreaterThan(0);
    expect((await emulatorDocumentClient().send(new GetCommand({ TableName: table, Key: { kind: 'iam-principal', name: user.arn } }))).Item!.readAt).toBe(now);
  });

  it('a failing shared tier is skipped: IAM decides', async () => {
    const broken = new DynamoDbSharedPolicies(emulatorDocumentClient(), 'no-such-table', 120);
    const policies = new IamIdentityPolicies(iam, { maxAgeMs: 60_000, shared: broken });
    const user = await userWith(document(deny('bedrock-agentcore:*', '*')));
    const request = { action: 'bedrock-agentcore:GetWorkloadIdentity', resource: workloadArn(own.other), context: {} };
    expect(evaluate((await policies.policiesOf({ kind: 'user', name: user.name, account: stack.accountId })).identity, request).decision).toBe('deny');
    expect(policies.calls).toBeGreaterThan(0);
  });
});
