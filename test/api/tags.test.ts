import { describe, expect, it } from 'vitest';
import {
  CreateApiKeyCredentialProviderCommand,
  CreateOauth2CredentialProviderCommand,
  CreateWorkloadIdentityCommand,
  DeleteApiKeyCredentialProviderCommand,
  DeleteWorkloadIdentityCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiKeyCredentialProviderCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { CreateSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { controlClient, emulatorDocumentClient, emulatorSecretsClient, failure, rawCall, secretValue, stack, uniqueName } from '../setup/clients.js';

const client = controlClient();
const sm = emulatorSecretsClient();
const ddb = emulatorDocumentClient();
const env = stack.functionEnvironment;
const MARK = 'agentcore-identity:credential-provider';

const arnOf = (namespace: string, resource: string, where = { region: stack.region, accountId: stack.accountId }) =>
  `arn:aws:${namespace}:${where.region}:${where.accountId}:${resource}`;
const identityArn = (name: string) => arnOf('bedrock-agentcore', `workload-identity-directory/default/workload-identity/${name}`);
const providerArn = (namespace: 'acps' | 'bedrock-agentcore', type: 'apikey' | 'oauth2', name: string) =>
  arnOf(namespace, `token-vault/default/${type}credentialprovider/${name}`);

const listTags = async (resourceArn: string) => ({ ...(await client.send(new ListTagsForResourceCommand({ resourceArn }))).tags });
const tag = (resourceArn: string, tags: Record<string, string>) => client.send(new TagResourceCommand({ resourceArn, tags }));
const untag = (resourceArn: string, tagKeys: string[]) => client.send(new UntagResourceCommand({ resourceArn, tagKeys }));

async function secretTags(secretArn: string): Promise<Record<string, string>> {
  const { Tags = [] } = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
  return Object.fromEntries(Tags.map((t) => [t.Key!, t.Value!]));
}

const storedIdentity = async (name: string) =>
  (await ddb.send(new GetCommand({ TableName: env.WORKLOAD_IDENTITIES_TABLE!, Key: { directory: 'default', name }, ConsistentRead: true }))).Item;
const storedProvider = async (kind: string, name: string) =>
  (await ddb.send(new GetCommand({ TableName: env.CREDENTIAL_PROVIDERS_TABLE!, Key: { kind, name }, ConsistentRead: true }))).Item;

async function apiKeyProvider(tags: Record<string, string> = { team: 'agents' }) {
  const name = uniqueName('tagged-key');
  const created = await client.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('tags'), tags }));
  return { name, arn: created.credentialProviderArn!, secretArn: created.apiKeySecretArn!.secretArn! };
}

describe('tags of workload identities', () => {
  it('shows the tags given at create, merges TagResource, removes with UntagResource, and goes with the identity', async () => {
    const name = uniqueName('tagged-wi');
    const created = await client.send(new CreateWorkloadIdentityCommand({ name, tags: { team: 'agents', stage: 'dev' } }));
    expect(created.workloadIdentityArn).toBe(identityArn(name));
    expect(await listTags(identityArn(name))).toEqual({ team: 'agents', stage: 'dev' });

    const tagged = await tag(identityArn(name), { stage: 'prod', 'cost center': 'a/b=c+d@e:f.g_h-i' });
    expect(tagged.$metadata.httpStatusCode).toBe(204);
    expect(await listTags(identityArn(name))).toEqual({ team: 'agents', stage: 'prod', 'cost center': 'a/b=c+d@e:f.g_h-i' });

    // Keys with spaces and '+' travel in the query string; a key the identity lacks is ignored.
    const untagged = await untag(identityArn(name), ['cost center', 'stage', 'never-set']);
    expect(untagged.$metadata.httpStatusCode).toBe(204);
    expect(await listTags(identityArn(name))).toEqual({ team: 'agents' });

    await client.send(new DeleteWorkloadIdentityCommand({ name }));
    expect((await failure(listTags(identityArn(name)))).name).toBe('ResourceNotFoundException');
    await client.send(new CreateWorkloadIdentityCommand({ name }));
    expect(await listTags(identityArn(name))).toEqual({});
  });
});

describe('tag requests on the wire', () => {
  it('find the ARN encoded or not, read it from the path alone, and keep keys named like Object.prototype members', async () => {
    const [name, other] = [uniqueName('tagged-raw'), uniqueName('tagged-raw')];
    await Promise.all([name, other].map((n) => client.send(new CreateWorkloadIdentityCommand({ name: n }))));
    const body = '{"resourceArn":"' + identityArn(other) + '","tags":{"__proto__":"p","constructor":"c","plain":"v"}}';
    expect((await rawCall(`/tags/${identityArn(name)}`, body)).status).toBe(204);
    const listed = await rawCall(`/tags/${encodeURIComponent(identityArn(name))}`, '', 'GET');
    expect(listed.status).toBe(200);
    expect(Object.keys(listed.body.tags).sort()).toEqual(['__proto__', 'constructor', 'plain']);
    expect(listed.body.tags.__proto__).toBe('p');
    expect(await listTags(identityArn(other))).toEqual({});

    const removed = await rawCall(`/tags/${encodeURIComponent(identityArn(name))}?tagKeys=__proto__&tagKeys=plain`, '', 'DELETE');
    expect(removed.status).toBe(204);
    expect(Object.keys((await rawCall(`/tags/${identityArn(name)}`, '', 'GET')).body.tags)).toEqual(['constructor']);
    const noKeys = await rawCall(`/tags/${encodeURIComponent(identityArn(name))}`, '', 'DELETE');
    expect([noKeys.status, noKeys.errorType]).toEqual([400, 'ValidationException']);
  });
});

describe('tags of credential providers', () => {
  it('mints bedrock-agentcore ARNs and accepts the acps ARNs of earlier versions', async () => {
    const { name, arn } = await apiKeyProvider();
    expect(arn).toBe(providerArn('bedrock-agentcore', 'apikey', name));
    await tag(providerArn('acps', 'apikey', name), { via: 'acps' });
    expect(await listTags(arn)).toEqual({ team: 'agents', via: 'acps' });
    await untag(providerArn('acps', 'apikey', name), ['via']);
    expect(await listTags(providerArn('acps', 'apikey', name))).toEqual({ team: 'agents' });
  });

  it('makes the managed secret of an API key provider carry the provider tags', async () => {
    const { name, arn, secretArn } = await apiKeyProvider({ team: 'agents', owner: 'x' });
    expect(await secretTags(secretArn)).toEqual({ team: 'agents', owner: 'x', [MARK]: `apikey/${name}` });
    // A tag named like the mark changes the provider's tags, never the secret's mark.
    await tag(arn, { owner: 'y', env: 'prod', [MARK]: 'spoofed' });
    expect(await secretTags(secretArn)).toEqual({ team: 'agents', owner: 'y', env: 'prod', [MARK]: `apikey/${name}` });
    await untag(arn, ['team', MARK]);
    expect(await listTags(arn)).toEqual({ owner: 'y', env: 'prod' });
    expect(await secretTags(secretArn)).toEqual({ owner: 'y', env: 'prod', [MARK]: `apikey/${name}` });

    // An update keeps them (concurrent calls: tags-concurrency.test.ts).
    await client.send(new UpdateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('tags-rotated') }));
    for (const k of ['a', 'b', 'c', 'd']) await tag(arn, { [k]: k });
    const expected = { owner: 'y', env: 'prod', a: 'a', b: 'b', c: 'c', d: 'd' };
    expect(await listTags(arn)).toEqual(expected);
    expect(await secretTags(secretArn)).toEqual({ ...expected, [MARK]: `apikey/${name}` });
    await client.send(new DeleteApiKeyCredentialProviderCommand({ name }));
    expect((await failure(listTags(arn))).name).toBe('ResourceNotFoundException');
  });

  it('gives a managed secret all 50 tags of its provider, the service mark yielding (Secrets Manager holds 50 per secret)', async () => {
    const { name, arn, secretArn } = await apiKeyProvider({ k0: 'v' });
    await tag(arn, Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i + 1}`, 'v'])));
    const full = await secretTags(secretArn);
    expect(Object.keys(full)).toHaveLength(50);
    expect(full[MARK]).toBeUndefined();
    await untag(arn, ['k0']);
    expect(await secretTags(secretArn)).toMatchObject({ k1: 'v', [MARK]: `apikey/${name}` });
    expect(Object.keys(await secretTags(secretArn))).toHaveLength(50);
  });

  it('never tags an EXTERNAL secret, which is the customer’s', async () => {
    const name = uniqueName('tagged-ext');
    const { ARN } = await sm.send(
      new CreateSecretCommand({ Name: uniqueName('customer/tags'), SecretString: JSON.stringify({ k: secretValue('ext') }), Tags: [{ Key: 'owner', Value: 'customer' }] }),
    );
    const created = await client.send(
      new CreateApiKeyCredentialProviderCommand({ name, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: ARN!, jsonKey: 'k' } }),
    );
    await tag(created.credentialProviderArn!, { team: 'agents' });
    expect(await listTags(created.credentialProviderArn!)).toEqual({ team: 'agents' });
    expect(await secretTags(ARN!)).toEqual({ owner: 'customer' });
  });

  it('tags OAuth2 providers and their managed client secret', async () => {
    const name = uniqueName('tagged-gh');
    const created = await client.send(
      new CreateOauth2CredentialProviderCommand({
        name,
        credentialProviderVendor: 'GithubOauth2',
        oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'client', clientSecret: secretValue('gh') } },
        tags: { team: 'agents' },
      }),
    );
    expect(created.credentialProviderArn).toBe(providerArn('bedrock-agentcore', 'oauth2', name));
    const secretArn = created.clientSecretArn!.secretArn!;
    await tag(providerArn('acps', 'oauth2', name), { env: 'prod' });
    expect(await listTags(created.credentialProviderArn!)).toEqual({ team: 'agents', env: 'prod' });
    expect(await secretTags(secretArn)).toEqual({ team: 'agents', env: 'prod', [MARK]: `oauth2/${name}` });
    await untag(created.credentialProviderArn!, ['team']);
    expect(await secretTags(secretArn)).toEqual({ env: 'prod', [MARK]: `oauth2/${name}` });
  });
});

describe('bad tag requests', () => {
  const fiftyTags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));

  it('answer each with its AgentCore error and write nothing', async () => {
    const { name, arn, secretArn } = await apiKeyProvider({ team: 'agents' });
    const item = await storedProvider('apikey', name);
    const secretBefore = await secretTags(secretArn);
    const otherAccount = arnOf('bedrock-agentcore', `token-vault/default/apikeycredentialprovider/${name}`, { region: stack.region, accountId: '999999999999' });
    const otherRegion = arnOf('bedrock-agentcore', `token-vault/default/apikeycredentialprovider/${name}`, { region: 'eu-west-3', accountId: stack.accountId });
    const cases: [string, () => Promise<unknown>, string][] = [
      ['an unknown provider', () => tag(providerArn('bedrock-agentcore', 'apikey', `${name}-gone`), { a: 'b' }), 'ResourceNotFoundException'],
      ['an unknown kind of resource', () => tag(arnOf('bedrock-agentcore', 'runtime/abc'), { a: 'b' }), 'ResourceNotFoundException'],
      ['a vault other than default', () => tag(arnOf('bedrock-agentcore', `token-vault/other/apikeycredentialprovider/${name}`), { a: 'b' }), 'ResourceNotFoundException'],
      ['a malformed ARN', () => tag('arn:aws:s3:::some-bucket/with/a/key', { a: 'b' }), 'ValidationException'],
      ['no ARN at all', () => tag('workload-identity-of-mine', { a: 'b' }), 'ValidationException'],
      ['another account', () => tag(otherAccount, { a: 'b' }), 'AccessDeniedException'],
      ['another region', () => tag(otherRegion, { a: 'b' }), 'ResourceNotFoundException'],
      ['51 tags after the merge', () => tag(arn, fiftyTags), 'ValidationException'],
      ['51 tags in one request', () => tag(arn, { ...fiftyTags, one: 'more' }), 'ValidationException'],
      ['a key with a bad character', () => tag(arn, { 'bad*key': 'v' }), 'ValidationException'],
      ['an empty key', () => tag(arn, { '': 'v' }), 'ValidationException'],
      ['a value with a bad character', () => tag(arn, { good: 'bad#value' }), 'ValidationException'],
      ['a key reserved by AWS', () => tag(arn, { 'aws:owner': 'v' }), 'ValidationException'],
      ['no tag keys to remove', () => untag(arn, []), 'ValidationException'],
      ['a bad tag key to remove', () => untag(arn, ['bad*key']), 'ValidationException'],
      ['untag of an unknown provider', () => untag(providerArn('acps', 'apikey', `${name}-gone`), ['team']), 'ResourceNotFoundException'],
      ['list of another account', () => listTags(otherAccount), 'AccessDeniedException'],
      ['list of a malformed ARN', () => listTags('arn:aws:bedrock-agentcore:x'), 'ValidationException'],
    ];
    for (const [label, call, expected] of cases) {
      const error = await failure(call());
      expect(error.name, label).toBe(expected);
      expect(error.message, label).toBeTruthy();
    }
    expect(await storedProvider('apikey', name)).toEqual(item);
    expect(await secretTags(secretArn)).toEqual(secretBefore);
    expect(await listTags(arn)).toEqual({ team: 'agents' });
  });

  it('refuse tags beyond 50 on a workload identity, counting those it has', async () => {
    const name = uniqueName('tagged-full');
    await client.send(new CreateWorkloadIdentityCommand({ name, tags: { team: 'agents' } }));
    const item = await storedIdentity(name);
    const error = await failure(tag(identityArn(name), fiftyTags));
    expect(error.name).toBe('ValidationException');
    expect(await storedIdentity(name)).toEqual(item);
    // Replacing a value counts once: 50 in all is fine.
    await tag(identityArn(name), { ...Object.fromEntries(Object.entries(fiftyTags).slice(0, 49)), team: 'platform' });
    expect(Object.keys(await listTags(identityArn(name)))).toHaveLength(50);
  });
});

describe('tags given at create', () => {
  it('refuse keys AWS reserves, as TagResource does, and create nothing', async () => {
    const reserved = { team: 'agents', 'AWS:owner': 'v' };
    const names = { identity: uniqueName('reserved-at-create'), apiKey: uniqueName('reserved-key'), oauth2: uniqueName('reserved-oauth') };
    const cases: [string, () => Promise<unknown>][] = [
      ['a workload identity', () => client.send(new CreateWorkloadIdentityCommand({ name: names.identity, tags: reserved }))],
      ['an API key provider', () => client.send(new CreateApiKeyCredentialProviderCommand({ name: names.apiKey, apiKey: secretValue('reserved'), tags: reserved }))],
      [
        'an OAuth2 provider',
        () =>
          client.send(
            new CreateOauth2CredentialProviderCommand({
              name: names.oauth2,
              credentialProviderVendor: 'GithubOauth2',
              oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'id', clientSecret: secretValue('reserved') } },
              tags: reserved,
            }),
          ),
      ],
    ];
    for (const [label, call] of cases) {
      const error = await failure(call());
      expect(error.name, label).toBe('ValidationException');
      expect((error as { fieldList?: { name: string }[] }).fieldList?.[0]?.name, label).toBe('tags');
    }
    expect(await storedIdentity(names.identity)).toBeUndefined();
    expect(await storedProvider('apikey', names.apiKey)).toBeUndefined();
    expect(await storedProvider('oauth2', names.oauth2)).toBeUndefined();
  });
});
