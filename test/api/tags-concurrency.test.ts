/**
 * Tag calls that race or fail half-way, run in process against the emulator. Concurrent calls
 * are interleaved on purpose: both read the record before either writes, so that the second
 * write meets a version that moved. The writes themselves are sent one at a time: moto runs requests on threads and does not make a conditional update atomic (two of six
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
import { toAgentCoreError } from '../../lib/aws/errors.js';
import { httpStatusOf } from '../../lib/errors.js';
import { controlClient, emulatorDocumentClient, secretValue, stack, uniqueName } from '../setup/clients.js';

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

const secretsClient = () => new SecretsManagerClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials, maxAttempts: 1 });

function tagOperations(documents: DynamoDBDocumentClient, sm = secretsClient()) {
  const secrets = new ProviderSecrets(new SecretsManagerSecretStore(sm, env.SERVICE_KMS_KEY_ID!), {
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

const MARK = 'agentcore-identity:credential-provider';

async function secretTags(secretArn: string): Promise<Record<string, string>> {
  const { Tags = [] } = await secretsClient().send(new DescribeSecretCommand({ SecretId: secretArn }));
  return Object.fromEntries(Tags.map((t) => [t.Key!, t.Value!]));
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
    expect(await secretTags(created.apiKeySecretArn!.secretArn!)).toEqual({ team: 'agents', a: '1', [MARK]: `apikey/${name}` });
  });
});

describe('a TagResource whose secret write fails', () => {
  it('keeps the provider tagged, fails retryably, and its retry tags the secret', async () => {
    const name = uniqueName('tag-torn');
    const created = await control.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('tag-torn'), tags: { team: 'agents' } }));
    const secretArn = created.apiKeySecretArn!.secretArn!;
    const sm = secretsClient();
    let failures = 1;
    sm.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TagResourceCommand' && failures-- > 0) {
          throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failOneSecretTagWrite' },
    );
    const ops = tagOperations(emulatorDocumentClient(), sm);
    const resourceArn = apiKeyCredentialProviderArn(where, name);
    const error = await ops.tag({ resourceArn, tags: { a: '1' } }, testCaller(where)).catch((e: unknown) => e);
    expect(toAgentCoreError(error).errorType).toBe('InternalServerException');
    expect(httpStatusOf(toAgentCoreError(error))).toBe(503);
    expect(await listed(resourceArn)).toEqual({ team: 'agents', a: '1' });
    expect(await secretTags(secretArn)).toEqual({ team: 'agents', [MARK]: `apikey/${name}` });

    await ops.tag({ resourceArn, tags: { a: '1' } }, testCaller(where));
    expect(await secretTags(secretArn)).toEqual({ team: 'agents', a: '1', [MARK]: `apikey/${name}` });
  });
});
