import { describe, expect, it } from 'vitest';
import {
  CreateApiKeyCredentialProviderCommand,
  CreateOauth2CredentialProviderCommand,
  CreateWorkloadIdentityCommand,
  DeleteApiKeyCredentialProviderCommand,
  DeleteWorkloadIdentityCommand,
  GetApiKeyCredentialProviderCommand,
  UpdateApiKeyCredentialProviderCommand,
  UpdateWorkloadIdentityCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { GetResourceApiKeyCommand, GetResourceOauth2TokenCommand, GetWorkloadAccessTokenCommand } from '@aws-sdk/client-bedrock-agentcore';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbCredentialProviderStore } from '../../lib/credential-providers/dynamodb-store.js';
import { DynamoDbWorkloadIdentityStore } from '../../lib/workload-identities/dynamodb-store.js';
import { controlClient, dataClient, emulatorDocumentClient, emulatorSecretsClient, failure, rawCall, secretValue, stack, uniqueName } from '../setup/clients.js';

const control = controlClient();
const data = dataClient();
const ddb = emulatorDocumentClient();
const workloads = new DynamoDbWorkloadIdentityStore(ddb, stack.functionEnvironment.WORKLOAD_IDENTITIES_TABLE!);
const providers = new DynamoDbCredentialProviderStore(ddb, stack.functionEnvironment.CREDENTIAL_PROVIDERS_TABLE!);

/** Tag keys that are valid AWS tag keys and also names of Object.prototype members. */
const PROTOTYPE_TAGS: Record<string, string> = JSON.parse('{"constructor":"c1","__proto__":"p1","toString":"t1","hasOwnProperty":"h1","team":"agents"}');

describe('tags whose keys are Object.prototype member names', () => {
  it('are stored and read back like any other key, for a workload identity', async () => {
    const name = uniqueName('proto-tags');
    const created = await control.send(new CreateWorkloadIdentityCommand({ name, tags: PROTOTYPE_TAGS }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    const record = await workloads.get(name);
    // `__proto__` does not survive the SDK's own map serializer on the client side, so it is sent raw below.
    expect({ ...record!.tags }).toMatchObject({ constructor: 'c1', toString: 't1', hasOwnProperty: 'h1', team: 'agents' });

    const raw = uniqueName('proto-raw');
    const answer = await rawCall('/identities/CreateWorkloadIdentity', `{"name":"${raw}","tags":{"constructor":"c1","__proto__":"p1","toString":"t1"}}`);
    expect(answer.status).toBe(201);
    await control.send(new UpdateWorkloadIdentityCommand({ name: raw, allowedResourceOauth2ReturnUrls: ['https://app.example.com/cb'] }));
    const stored = await workloads.get(raw);
    expect(Object.entries(stored!.tags).sort()).toEqual([['__proto__', 'p1'], ['constructor', 'c1'], ['toString', 't1']]);
    expect(stored!.allowedResourceOauth2ReturnUrls).toEqual(['https://app.example.com/cb']);
    await control.send(new DeleteWorkloadIdentityCommand({ name }));
    await control.send(new DeleteWorkloadIdentityCommand({ name: raw }));
  });

  it('are stored, put on the managed secret and read back, for an API key provider', async () => {
    const name = uniqueName('proto-tags');
    const answer = await rawCall(
      '/identities/CreateApiKeyCredentialProvider',
      `{"name":"${name}","apiKey":"${secretValue('proto-tags')}","tags":{"constructor":"c1","__proto__":"p1","toString":"t1","valueOf":"v1"}}`,
    );
    expect(answer.status).toBe(201);
    const record = await providers.get({ kind: 'apikey', name });
    expect(Object.entries(record!.tags).sort()).toEqual([['__proto__', 'p1'], ['constructor', 'c1'], ['toString', 't1'], ['valueOf', 'v1']]);
    const described = await emulatorSecretsClient().send(new DescribeSecretCommand({ SecretId: record!.secretArn }));
    const secretTags = Object.fromEntries((described.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(secretTags).toMatchObject(JSON.parse('{"constructor":"c1","__proto__":"p1","toString":"t1","valueOf":"v1"}'));
    // Reads and updates of the record go on working, and keep the tags.
    expect((await control.send(new GetApiKeyCredentialProviderCommand({ name }))).name).toBe(name);
    await control.send(new UpdateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('proto-tags-2') }));
    const updated = await providers.get({ kind: 'apikey', name });
    expect(updated!.version).toBe(record!.version + 1);
    expect(Object.entries(updated!.tags).sort()).toEqual([['__proto__', 'p1'], ['constructor', 'c1'], ['toString', 't1'], ['valueOf', 'v1']]);
    await control.send(new DeleteApiKeyCredentialProviderCommand({ name }));
  });
});

describe('malformed requests get the right AgentCore error and write nothing', () => {
  it('ignores an unknown member named like a prototype member, on every operation', async () => {
    const name = uniqueName('proto-member');
    for (const member of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const answer = await rawCall('/identities/GetWorkloadIdentity', `{"name":"${name}",${JSON.stringify(member)}:1}`);
      expect(answer.status, member).toBe(404);
      expect(answer.errorType).toBe('ResourceNotFoundException');
    }
    const short = await rawCall('/identities/GetWorkloadIdentity', '{"name":"x","toString":1}');
    expect(short).toMatchObject({ status: 400, errorType: 'ValidationException' });
  });

  it('refuses a union with an unknown member only, and creates no provider', async () => {
    const name = uniqueName('bad-union');
    const error = await failure(
      control.send(
        new CreateOauth2CredentialProviderCommand({
          name,
          credentialProviderVendor: 'CustomOauth2',
          oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c', clientSecret: secretValue('union'), oauthDiscovery: { x: 1 } as never } },
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(JSON.stringify(error.fieldList)).toContain('oauthDiscovery');
    expect((await ddb.send(new GetCommand({ TableName: stack.functionEnvironment.CREDENTIAL_PROVIDERS_TABLE!, Key: { kind: 'oauth2', name } }))).Item).toBeUndefined();
  });

  it('refuses lone surrogates at the edge, and creates nothing', async () => {
    const name = uniqueName('surrogate');
    const answer = await rawCall(
      '/identities/CreateOauth2CredentialProvider',
      `{"name":"${name}","credentialProviderVendor":"CustomOauth2","oauth2ProviderConfigInput":{"customOauth2ProviderConfig":{"clientId":"c\\ud800","clientSecret":"s","oauthDiscovery":{"authorizationServerMetadata":{"issuer":"https://i.example\\udc00","authorizationEndpoint":"https://i.example/a","tokenEndpoint":"https://i.example/t"}}}}}`,
    );
    expect(answer).toMatchObject({ status: 400, errorType: 'ValidationException' });
    expect(answer.body.fieldList.map((f: { name: string }) => f.name).sort()).toEqual([
      'oauth2ProviderConfigInput.customOauth2ProviderConfig.clientId',
      'oauth2ProviderConfigInput.customOauth2ProviderConfig.oauthDiscovery.authorizationServerMetadata.issuer',
    ]);
    expect((await ddb.send(new GetCommand({ TableName: stack.functionEnvironment.CREDENTIAL_PROVIDERS_TABLE!, Key: { kind: 'oauth2', name } }))).Item).toBeUndefined();
    const tag = await rawCall('/identities/CreateWorkloadIdentity', `{"name":"${name}","tags":{"\\ud800":"x"}}`);
    expect(tag).toMatchObject({ status: 400, errorType: 'ValidationException' });
    expect(await workloads.get(name)).toBeUndefined();
  });

  it('answers a workload access token whose parts decode to JSON null, a number or an array with UnauthorizedException', async () => {
    for (const token of ['bnVsbA.e30.x', 'e30.bnVsbA.x', 'MQ.MQ.x', 'W10.W10.x', 'bnVsbA.bnVsbA.bnVsbA', '..', 'eyJ0eXAiOiJ3YXQrand0IiwiYWxnIjoiSFMyNTYiLCJraWQiOnt9fQ.e30.x']) {
      const error = await failure(data.send(new GetResourceApiKeyCommand({ workloadIdentityToken: token, resourceCredentialProviderName: 'any' })));
      expect(error.name, token).toBe('UnauthorizedException');
      expect(error.$metadata.httpStatusCode).toBe(401);
    }
  });

  it('refuses 4,000 scopes of 110 characters (the consent session would outgrow DynamoDB) naming the field', async () => {
    const name = uniqueName('many-scopes');
    await control.send(new CreateWorkloadIdentityCommand({ name }));
    const { workloadAccessToken } = await data.send(new GetWorkloadAccessTokenCommand({ workloadName: name }));
    const error = await failure(
      data.send(
        new GetResourceOauth2TokenCommand({
          workloadIdentityToken: workloadAccessToken!,
          resourceCredentialProviderName: 'any',
          scopes: Array.from({ length: 4000 }, (_, i) => `${i}`.padEnd(110, 's')),
          oauth2Flow: 'USER_FEDERATION',
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.fieldList).toEqual([{ name: 'scopes', message: expect.stringContaining('less than or equal to 100') }]);
    await control.send(new DeleteWorkloadIdentityCommand({ name }));
  });

  it('answers the userToken pattern quickly enough that a 131,072-character adversarial token is a plain validation error', async () => {
    const answer = await rawCall(
      '/identities/CompleteResourceTokenAuth',
      JSON.stringify({ sessionUri: 'urn:ietf:params:oauth:request_uri:x', userIdentifier: { userToken: 'a'.repeat(131_071) + '!' } }),
    );
    expect(answer).toMatchObject({ status: 400, errorType: 'ValidationException' });
    expect(answer.body.fieldList).toEqual([{ name: 'userIdentifier.userToken', message: expect.stringContaining('regular expression') }]);
  });
});
