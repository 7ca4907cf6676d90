import { describe, expect, it } from 'vitest';
import {
  CreateApiKeyCredentialProviderCommand,
  DeleteApiKeyCredentialProviderCommand,
  GetApiKeyCredentialProviderCommand,
  ListApiKeyCredentialProvidersCommand,
  UpdateApiKeyCredentialProviderCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  paginateListSecrets,
} from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { controlClient, emulatorDocumentClient, emulatorSecretsClient, failure, rawCall, secretValue, stack, uniqueName } from '../setup/clients.js';

const client = controlClient();
const sm = emulatorSecretsClient();
const ddb = emulatorDocumentClient();
const PREFIX = stack.functionEnvironment.MANAGED_SECRET_PREFIX!;
const providerArn = (name: string) => `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:token-vault/default/apikeycredentialprovider/${name}`;

async function storedProvider(name: string) {
  return (await ddb.send(new GetCommand({ TableName: stack.functionEnvironment.CREDENTIAL_PROVIDERS_TABLE!, Key: { kind: 'apikey', name } }))).Item;
}

async function managedSecretsOf(name: string): Promise<string[]> {
  const found: string[] = [];
  for await (const page of paginateListSecrets({ client: sm }, {})) {
    for (const s of page.SecretList ?? []) if (s.Name?.startsWith(`${PREFIX}apikey/${name}-`)) found.push(s.ARN!);
  }
  return found;
}

async function customerSecret(value: Record<string, unknown> | string) {
  const name = uniqueName('customer/api-key');
  const { ARN } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: typeof value === 'string' ? value : JSON.stringify(value), Tags: [{ Key: 'owner', Value: 'customer' }] }));
  return { name, arn: ARN! };
}

async function fingerprint(arn: string) {
  const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
  const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: arn }));
  return { tags: described.Tags, deleted: described.DeletedDate, versions: versions.Versions?.map((v) => v.VersionId).sort() };
}

describe('API key credential providers with a MANAGED secret', () => {
  it('creates one tagged, KMS-encrypted secret, updates it with a new version, and deletes it with the provider', async () => {
    const name = uniqueName('github');
    const key = secretValue('managed');
    const created = await client.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: key, tags: { team: 'agents' } }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({ name, credentialProviderArn: providerArn(name), apiKeySecretSource: 'MANAGED' });
    expect(created.apiKeySecretJsonKey).toBeUndefined();
    const secretArn = created.apiKeySecretArn!.secretArn!;
    expect(await managedSecretsOf(name)).toEqual([secretArn]);

    const described = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
    expect(described.Name!.startsWith(PREFIX)).toBe(true);
    expect(described.Tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'agents' }]));
    expect(described.KmsKeyId).toBeTruthy();
    expect(JSON.stringify(created)).not.toContain(key);

    const got = await client.send(new GetApiKeyCredentialProviderCommand({ name }));
    expect(got).toMatchObject({ name, credentialProviderArn: providerArn(name), apiKeySecretArn: { secretArn }, apiKeySecretSource: 'MANAGED' });
    expect(got.createdTime).toBeInstanceOf(Date);
    expect(JSON.stringify(await storedProvider(name))).not.toContain(key);

    const rotated = secretValue('managed-rotated');
    const before = (await sm.send(new ListSecretVersionIdsCommand({ SecretId: secretArn }))).Versions!.length;
    const updated = await client.send(new UpdateApiKeyCredentialProviderCommand({ name, apiKey: rotated }));
    expect(updated.apiKeySecretArn!.secretArn).toBe(secretArn);
    expect((await sm.send(new ListSecretVersionIdsCommand({ SecretId: secretArn }))).Versions!.length).toBe(before + 1);
    // By stage: moto answers a read without one from the version CreateSecret or an AWSCURRENT
    // PutSecretValue last made current, not from where UpdateSecretVersionStage moved AWSCURRENT.
    expect(JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: 'AWSCURRENT' }))).SecretString!)).toEqual({ apiKey: rotated });

    await client.send(new DeleteApiKeyCredentialProviderCommand({ name }));
    expect((await failure(client.send(new GetApiKeyCredentialProviderCommand({ name })))).name).toBe('ResourceNotFoundException');
    expect(await managedSecretsOf(name)).toEqual([]);
    // The name can be used again at once.
    await client.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('again') }));
    await client.send(new DeleteApiKeyCredentialProviderCommand({ name }));
  });

  it('refuses a duplicate name with ConflictException and leaves no second secret behind', async () => {
    const name = uniqueName('dup');
    await client.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('first') }));
    const error = await failure(client.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('second') })));
    expect(error.name).toBe('ConflictException');
    expect(error.$metadata.httpStatusCode).toBe(409);
    expect((await managedSecretsOf(name)).length).toBe(1);
  });

  it('lists providers in pages', async () => {
    const prefix = uniqueName('list');
    await Promise.all([0, 1, 2].map((i) => client.send(new CreateApiKeyCredentialProviderCommand({ name: `${prefix}-${i}`, apiKey: secretValue('list') }))));
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListApiKeyCredentialProvidersCommand({ maxResults: 2, nextToken }));
      for (const p of page.credentialProviders!) {
        expect(p.credentialProviderArn).toBe(providerArn(p.name!));
        expect(p.createdTime).toBeInstanceOf(Date);
        names.push(p.name!);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    expect(names).toEqual(expect.arrayContaining([0, 1, 2].map((i) => `${prefix}-${i}`)));
  });

  it('answers ResourceNotFoundException for a provider that does not exist', async () => {
    const name = uniqueName('ghost');
    for (const command of [
      new GetApiKeyCredentialProviderCommand({ name }),
      new UpdateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('ghost') }),
      new DeleteApiKeyCredentialProviderCommand({ name }),
    ]) {
      expect((await failure(client.send(command as never))).name).toBe('ResourceNotFoundException');
    }
    expect(await managedSecretsOf(name)).toEqual([]);
  });
});

describe('API key credential providers with an EXTERNAL secret', () => {
  it('accepts a name, a partial ARN or a full ARN, resolves it to the full ARN, and never writes to the secret', async () => {
    const { name: secretName, arn } = await customerSecret({ token: secretValue('external'), other: 'x' });
    const before = await fingerprint(arn);
    const partial = arn.slice(0, -7);
    for (const secretId of [secretName, partial, arn]) {
      const name = uniqueName('ext');
      const created = await client.send(
        new CreateApiKeyCredentialProviderCommand({ name, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId, jsonKey: 'token' } }),
      );
      expect(created).toMatchObject({ apiKeySecretArn: { secretArn: arn }, apiKeySecretSource: 'EXTERNAL', apiKeySecretJsonKey: 'token' });
      expect(await managedSecretsOf(name)).toEqual([]);
      await client.send(new UpdateApiKeyCredentialProviderCommand({ name, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: arn, jsonKey: 'other' } }));
      expect((await client.send(new GetApiKeyCredentialProviderCommand({ name }))).apiKeySecretJsonKey).toBe('other');
      await client.send(new DeleteApiKeyCredentialProviderCommand({ name }));
    }
    expect(await fingerprint(arn)).toEqual(before);
  });

  it('switches between MANAGED and EXTERNAL, retiring only its own secret', async () => {
    const name = uniqueName('switch');
    const { arn } = await customerSecret({ token: secretValue('switch-external') });
    const managed = await client.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('switch-managed') }));
    const toExternal = await client.send(
      new UpdateApiKeyCredentialProviderCommand({ name, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: arn, jsonKey: 'token' } }),
    );
    expect(toExternal.apiKeySecretArn!.secretArn).toBe(arn);
    expect(await managedSecretsOf(name)).toEqual([]);
    expect(managed.apiKeySecretArn!.secretArn).not.toBe(arn);
    const before = await fingerprint(arn);
    const toManaged = await client.send(new UpdateApiKeyCredentialProviderCommand({ name, apiKeySecretSource: 'MANAGED', apiKey: secretValue('switch-back') }));
    expect(toManaged.apiKeySecretSource).toBe('MANAGED');
    expect(await managedSecretsOf(name)).toEqual([toManaged.apiKeySecretArn!.secretArn]);
    expect(await fingerprint(arn)).toEqual(before);
  });

  it('leaves the customer secret untouched when the provider is deleted', async () => {
    const { arn } = await customerSecret({ token: secretValue('kept') });
    const name = uniqueName('keep');
    await client.send(new CreateApiKeyCredentialProviderCommand({ name, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: arn, jsonKey: 'token' } }));
    const before = await fingerprint(arn);
    await client.send(new DeleteApiKeyCredentialProviderCommand({ name }));
    expect(await fingerprint(arn)).toEqual(before);
    expect(before.deleted).toBeUndefined();
  });
});

describe('API key credential provider input that is refused, with nothing stored', () => {
  const cases: Array<[string, (secret: { name: string; arn: string }) => Record<string, unknown>, string]> = [
    ['no apiKey for a MANAGED provider', () => ({}), 'apiKey'],
    ['an empty apiKey', () => ({ apiKey: '' }), 'apiKey'],
    ['an unknown secret source', () => ({ apiKey: 'x', apiKeySecretSource: 'SOMEWHERE' }), 'apiKeySecretSource'],
    ['EXTERNAL without a secret config', () => ({ apiKeySecretSource: 'EXTERNAL' }), 'apiKeySecretConfig'],
    ['EXTERNAL with an apiKey as well', (s) => ({ apiKeySecretSource: 'EXTERNAL', apiKey: 'x', apiKeySecretConfig: { secretId: s.arn, jsonKey: 'token' } }), 'apiKey'],
    ['MANAGED with a secret config', (s) => ({ apiKeySecretSource: 'MANAGED', apiKey: 'x', apiKeySecretConfig: { secretId: s.arn, jsonKey: 'token' } }), 'apiKeySecretConfig'],
    ['a JSON key over the model limit of 128', (s) => ({ apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: s.arn, jsonKey: 'k'.repeat(129) } }), 'apiKeySecretConfig.jsonKey'],
    ['a secret config without jsonKey', (s) => ({ apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: s.arn } }), 'apiKeySecretConfig.jsonKey'],
    ['a secret that does not exist', () => ({ apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: 'no/such/secret', jsonKey: 'token' } }), 'apiKeySecretConfig.secretId'],
    ['a JSON key the secret lacks', (s) => ({ apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: s.arn, jsonKey: 'missing' } }), 'apiKeySecretConfig.jsonKey'],
    ['a secret of another region', (s) => ({ apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: s.arn.replace(stack.region, 'eu-west-3'), jsonKey: 'token' } }), 'apiKeySecretConfig.secretId'],
    ['an ARN that names no secret', () => ({ apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: `arn:aws:s3:::bucket/key`, jsonKey: 'token' } }), 'apiKeySecretConfig.secretId'],
    ['a name with a bad character', () => ({ name: 'bad name!', apiKey: 'x' }), 'name'],
    ['too many tags', () => ({ apiKey: 'x', tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }), 'tags'],
  ];

  it.each(cases)('refuses %s', async (_, body, field) => {
    const secret = await customerSecret({ token: secretValue('refused') });
    const name = uniqueName('refused');
    const response = await rawCall('/identities/CreateApiKeyCredentialProvider', JSON.stringify({ name, ...body(secret) }));
    expect(response.status).toBe(400);
    expect(response.errorType).toBe('ValidationException');
    expect(response.body.fieldList.map((f: { name: string }) => f.name)).toContain(field);
    expect(await storedProvider(name)).toBeUndefined();
    expect(await managedSecretsOf(name)).toEqual([]);
  });

  it('says why an empty apiKey is refused, on create and on update', async () => {
    const name = uniqueName('empty');
    const created = await rawCall('/identities/CreateApiKeyCredentialProvider', JSON.stringify({ name, apiKey: '' }));
    expect(created.body.message).toMatch(/'apiKey' must not be empty/);
    await client.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('kept') }));
    const updated = await rawCall('/identities/UpdateApiKeyCredentialProvider', JSON.stringify({ name, apiKey: '' }));
    expect(updated.errorType).toBe('ValidationException');
    expect(updated.body.message).toMatch(/'apiKey' must not be empty/);
  });

  it('refuses the service own secrets as EXTERNAL: another provider managed secret, and the key ring', async () => {
    const owner = uniqueName('owner');
    const created = await client.send(new CreateApiKeyCredentialProviderCommand({ name: owner, apiKey: secretValue('owned') }));
    for (const [secretId, jsonKey] of [
      [created.apiKeySecretArn!.secretArn!, 'apiKey'],
      [stack.functionEnvironment.SERVICE_KEYS_SECRET_ID!, 'x'],
    ]) {
      const name = uniqueName('thief');
      const response = await rawCall('/identities/CreateApiKeyCredentialProvider', JSON.stringify({ name, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId, jsonKey } }));
      expect(response.errorType).toBe('ValidationException');
      expect(response.body.message).toMatch(/manages itself/);
      expect(await storedProvider(name)).toBeUndefined();
    }
  });

  it('says whether the secret holds no JSON or lacks the key, and never shows its value', async () => {
    const value = secretValue('plain');
    const plain = await customerSecret(value);
    const response = await rawCall(
      '/identities/CreateApiKeyCredentialProvider',
      JSON.stringify({ name: uniqueName('plain'), apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: plain.arn, jsonKey: 'token' } }),
    );
    expect(response.body.message).toMatch(/no JSON object/);
    expect(JSON.stringify(response.body)).not.toContain(value);
  });

  it('refuses an update to a bad external secret and keeps the provider as it was', async () => {
    const name = uniqueName('upd');
    const created = await client.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('upd') }));
    const error = await failure(
      client.send(new UpdateApiKeyCredentialProviderCommand({ name, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: 'no/such/secret', jsonKey: 'k' } })),
    );
    expect(error.name).toBe('ValidationException');
    const got = await client.send(new GetApiKeyCredentialProviderCommand({ name }));
    expect(got.apiKeySecretArn).toEqual(created.apiKeySecretArn);
    expect(got.apiKeySecretSource).toBe('MANAGED');
  });
});
