import { afterAll, describe, expect, it } from 'vitest';
import { CreateSecretCommand, DeleteSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { watchProviderSecrets } from '../../infra/local/rotation-watcher.js';
import { emulatorDocumentClient, emulatorSecretsClient, stack, uniqueName } from '../setup/clients.js';
import { useIsolatedTables } from '../setup/in-process.js';

/**
 * The offline stand-in for the EventBridge rule (infra/local/rotation-watcher.ts), on a providers
 * table of its own, looking only when told to (poll), so every interleaving is exact: deployed,
 * each PutSecretValue after a provider names its secret emits an event, and so must the watcher.
 */
await useIsolatedTables('watch');
const table = process.env.CREDENTIAL_PROVIDERS_TABLE!;
const ddb = emulatorDocumentClient();
const sm = emulatorSecretsClient();
const delivered: { name: string; arn: string }[] = [];
const watcher = watchProviderSecrets({
  clientConfig: { endpoint: stack.emulatorEndpoint, region: stack.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
  providersTable: table,
  deliver: async (event: any) => void delivered.push({ name: event.detail.eventName, arn: event.detail.responseElements?.arn ?? event.detail.requestParameters.secretId }),
  intervalMs: 3_600_000, // one look at start; the rest are this test's poll() calls
});
afterAll(() => watcher.stop());

const secret = async (value: string) => (await sm.send(new CreateSecretCommand({ Name: uniqueName('watched/secret'), SecretString: JSON.stringify({ key: value }) }))).ARN!;
const provider = async (secretArn: string) => {
  const name = uniqueName('watched');
  await ddb.send(new PutCommand({ TableName: table, Item: { kind: 'apikey', name, secretArn } }));
  return name;
};
const put = (arn: string, value: string) => sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ key: value }) }));
const eventsFor = (arn: string) => delivered.filter((e) => e.arn === arn).map((e) => e.name);

describe('offline rotation watcher', () => {
  it('delivers a change made right after the provider was created, before the watcher ever saw the secret', async () => {
    await watcher.poll();
    const arn = await secret('v1');
    await provider(arn);
    await put(arn, 'v2'); // all between two looks: the watcher first sees the secret at v2
    await watcher.poll();
    expect(eventsFor(arn)).toEqual(['PutSecretValue']);
    await watcher.poll();
    expect(eventsFor(arn)).toEqual(['PutSecretValue']); // once
  });

  it('delivers a change to a secret it saw before the provider named it', async () => {
    const arn = await secret('v1');
    await watcher.poll(); // seen, named by nobody yet
    await provider(arn);
    await put(arn, 'v2');
    await watcher.poll();
    expect(eventsFor(arn)).toEqual(['PutSecretValue']);
  });

  it('is quiet for a new provider whose secret did not change, and for changes before any provider named it', async () => {
    const fresh = await secret('v1');
    await provider(fresh); // a MANAGED create looks like this: one version, then the record
    const earlier = await secret('v1');
    await watcher.poll();
    await put(earlier, 'v2'); // nobody reads it yet: the provider created next reads v2
    await watcher.poll();
    await provider(earlier);
    await watcher.poll();
    expect(eventsFor(fresh)).toEqual([]);
    expect(eventsFor(earlier)).toEqual([]);
    await put(fresh, 'v2');
    await watcher.poll();
    expect(eventsFor(fresh)).toEqual(['PutSecretValue']);
  });

  it('delivers a deletion of a named secret once, and forgets secrets nobody names', async () => {
    const arn = await secret('v1');
    const name = await provider(arn);
    await watcher.poll();
    await sm.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
    await watcher.poll();
    await watcher.poll();
    expect(eventsFor(arn)).toEqual(['DeleteSecret']);
    await ddb.send(new DeleteCommand({ TableName: table, Key: { kind: 'apikey', name } }));
    await watcher.poll();
    expect(eventsFor(arn)).toEqual(['DeleteSecret']);
  });
});
