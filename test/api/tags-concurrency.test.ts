/**
 * Concurrent tag calls, interleaved on purpose: both read the record before either writes, so
 * that the second write meets a version that moved. The writes themselves are sent one at a
 * time: moto runs requests on threads and does not make a conditional update atomic (two of six
 * simultaneous UpdateItems conditioned on one version can both succeed there), which DynamoDB
 * does; racing them for real would test the emulator, not this service.
 */
import { describe, expect, it } from 'vitest';
import { CreateApiKeyCredentialProviderCommand, CreateWorkloadIdentityCommand, ListTagsForResourceCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { apiKeyCredentialProviderArn, workloadIdentityArn } from '../../lib/arns.js';
import { DynamoDbCredentialProviderStore } from '../../lib/credential-providers/dynamodb-store.js';
import { ProviderSecrets } from '../../lib/credential-providers/provider-secrets.js';
import { resourceTagOperations } from '../../lib/resource-tags/resource-tags.js';
import { taggableKinds } from '../../lib/resource-tags/taggable-kinds.js';
import { SecretsManagerSecretStore } from '../../lib/secrets/secrets-manager-store.js';
import { DynamoDbWorkloadIdentityStore } from '../../lib/workload-identities/dynamodb-store.js';
import { testCaller } from '../fakes/caller.js';
import { controlClient, secretValue, stack, uniqueName } from '../setup/clients.js';

const env = stack.functionEnvironment;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const where = { partition: 'aws', region: stack.region, accountId: stack.accountId };
const control = controlClient();

/** A DynamoDB client whose first `readers` reads wait for each other, and whose updates go one at a time. */
function interleavingClient(readers: number) {
  const client = new DynamoDBClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials, maxAttempts: 1 });
  const stats = { refusedWrites: 0 };
  let arrived = 0;
  let release!: () => void;
  const allRead = new Promise<void>((resolve) => (release = resolve));
  let writes = Promise.resolve();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (/^Get(Item)?Command$/.test(context.commandName ?? '') && arrived < readers) {
        const result = await next(args);
        if (++arrived === readers) release();
        await allRead;
        return result;
      }
      if (!/^Update(Item)?Command$/.test(context.commandName ?? '')) return next(args);
      const turn = writes.then(() => next(args));
      writes = turn.then(
        () => undefined,
        () => undefined,
      );
      return turn.catch((error: Error) => {
        if (error.name === 'ConditionalCheckFailedException') stats.refusedWrites++;
        throw error;
      });
    },
    { step: 'initialize', name: 'interleaveTagWrites' },
  );
  return { documents: DynamoDBDocumentClient.from(client), stats };
}

function tagOperations(documents: DynamoDBDocumentClient) {
  const secrets = new ProviderSecrets(new SecretsManagerSecretStore(new SecretsManagerClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials }), env.SERVICE_KMS_KEY_ID!), {
    managedSecretPrefix: env.MANAGED_SECRET_PREFIX!,
    maxAgeSeconds: 60,
    reservedSecretNames: [],
  });
  const kinds = taggableKinds({
    identities: new DynamoDbWorkloadIdentityStore(documents, env.WORKLOAD_IDENTITIES_TABLE!),
    providers: new DynamoDbCredentialProviderStore(documents, env.CREDENTIAL_PROVIDERS_TABLE!),
    secrets,
  });
  return resourceTagOperations({ kinds });
}

const listed = async (resourceArn: string) => ({ ...(await control.send(new ListTagsForResourceCommand({ resourceArn }))).tags });

describe('concurrent TagResource calls', () => {
  it('on a workload identity keep the keys of both', async () => {
    const name = uniqueName('tag-race');
    await control.send(new CreateWorkloadIdentityCommand({ name, tags: { team: 'agents' } }));
    const { documents, stats } = interleavingClient(2);
    const ops = tagOperations(documents);
    const resourceArn = workloadIdentityArn(where, name);
    await Promise.all([ops.tag({ resourceArn, tags: { a: '1' } }, testCaller(where)), ops.tag({ resourceArn, tags: { b: '2' } }, testCaller(where))]);
    expect(stats.refusedWrites).toBe(1);
    expect(await listed(resourceArn)).toEqual({ team: 'agents', a: '1', b: '2' });
  });

  it('on a provider with a managed secret keep the keys of both, and the secret ends with them', async () => {
    const name = uniqueName('tag-race-key');
    const created = await control.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('tag-race'), tags: { team: 'agents', gone: 'soon' } }));
    const { documents, stats } = interleavingClient(2);
    const ops = tagOperations(documents);
    const resourceArn = apiKeyCredentialProviderArn(where, name);
    await Promise.all([
      ops.tag({ resourceArn, tags: { a: '1' } }, testCaller(where)),
      ops.untag({ resourceArn, tagKeys: ['gone'] }, testCaller(where)),
    ]);
    expect(stats.refusedWrites).toBe(1);
    expect(await listed(resourceArn)).toEqual({ team: 'agents', a: '1' });
    const sm = new SecretsManagerClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials });
    const { Tags = [] } = await sm.send(new DescribeSecretCommand({ SecretId: created.apiKeySecretArn!.secretArn! }));
    expect(Object.fromEntries(Tags.map((t) => [t.Key, t.Value]))).toEqual({ team: 'agents', a: '1', 'agentcore-identity:credential-provider': `apikey/${name}` });
  });
});
