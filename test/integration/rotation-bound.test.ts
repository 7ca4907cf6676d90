import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, DescribeSecretCommand, PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { emulatorSecretsClient, secretValue, uniqueName } from '../setup/clients.js';
import { apiEvent, lambdaContext, sampleEvent, useIsolatedTables } from '../setup/in-process.js';

/**
 * The data-plane and rotation handlers in this process, on tables no rotation watcher touches,
 * with a 2-second cache bound: what happens with an event, and without one.
 */
await useIsolatedTables('bound', { SECRET_CACHE_MAX_AGE_SECONDS: '2' });
const control = (await import('../../functions/control-plane.js')).handler;
const dataPlane = (await import('../../functions/data-plane.js')).handler;
const rotation = (await import('../../functions/secret-rotation.js')).handler;
const sm = emulatorSecretsClient();

async function call(handler: typeof control, path: string, body: unknown) {
  const result = await handler(apiEvent(path, body) as never, lambdaContext());
  const parsed = result.body ? JSON.parse(result.body) : undefined;
  if ((result.statusCode ?? 500) >= 300) throw new Error(`${path}: ${result.statusCode} ${result.body}`);
  return parsed;
}

async function setup() {
  const workloadName = uniqueName('bound-agent');
  await call(control, '/identities/CreateWorkloadIdentity', { name: workloadName });
  const { ARN } = await sm.send(new CreateSecretCommand({ Name: uniqueName('bound/secret'), SecretString: JSON.stringify({ key: secretValue('bound-1') }) }));
  const provider = uniqueName('bound-provider');
  await call(control, '/identities/CreateApiKeyCredentialProvider', { name: provider, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: ARN, jsonKey: 'key' } });
  const { workloadAccessToken } = await call(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName });
  const vend = async () => (await call(dataPlane, '/identities/api-key', { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: provider })).apiKey as string;
  return { arn: ARN!, vend };
}

describe('cached credentials', () => {
  it('are served from cache until the bound, then refreshed, when no event comes', async () => {
    const { arn, vend } = await setup();
    const first = await vend();
    const next = secretValue('bound-2');
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ key: next }) }));
    expect(await vend()).toBe(first); // cached, and nothing said it changed
    // Refreshed once the bound has passed: waited for, not slept through.
    await expect.poll(vend, { timeout: 10_000, interval: 100 }).toBe(next);
  });

  it('are refreshed at once, before the bound, when each of the sample rotation events arrives', async () => {
    const { arn, vend } = await setup();
    for (const sample of ['put-secret-value', 'update-secret', 'update-secret-version-stage', 'rotation-succeeded']) {
      await vend();
      const next = secretValue(`event-${sample}`);
      await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ key: next }) }));
      const event = sampleEvent(`secretsmanager/${sample}.json`);
      if (event.detail.responseElements) event.detail.responseElements.arn = arn;
      if (event.detail.additionalEventData) event.detail.additionalEventData.SecretId = arn;
      expect(await rotation(event, lambdaContext())).toEqual({ invalidated: 1 });
      expect(await vend()).toBe(next);
    }
  });

  it('follow a rotation that moves AWSCURRENT by stage, as a rotation function does (AWSPENDING, then UpdateSecretVersionStage)', async () => {
    const { arn, vend } = await setup();
    await vend();
    const next = secretValue('staged-rotation');
    const current = Object.entries((await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages!).find(([, s]) => s.includes('AWSCURRENT'))![0];
    const pending = randomUUID();
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ key: next }), ClientRequestToken: pending, VersionStages: ['AWSPENDING'] }));
    expect(await vend()).not.toBe(next); // pending: not current yet
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: pending, RemoveFromVersionId: current }));
    const event = sampleEvent('secretsmanager/rotation-succeeded.json');
    event.detail.additionalEventData.SecretId = arn;
    expect(await rotation(event, lambdaContext())).toEqual({ invalidated: 1 });
    expect(await vend()).toBe(next);
  });

  it('reach a container up to the freshness window late when one is configured (VEND_CACHE_MILLISECONDS)', async () => {
    const { arn, vend } = await setup();
    process.env.VEND_CACHE_MILLISECONDS = '800';
    try {
      const first = await vend();
      const next = secretValue('window');
      await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ key: next }) }));
      const event = sampleEvent('secretsmanager/put-secret-value.json');
      event.detail.responseElements.arn = arn;
      await rotation(event, lambdaContext());
      expect(await vend()).toBe(first); // within the window: the lookup is not repeated
      await expect.poll(vend, { timeout: 5_000, interval: 100 }).toBe(next);
    } finally {
      delete process.env.VEND_CACHE_MILLISECONDS;
    }
  });

  it('ignores events that change nothing the service reads', async () => {
    const failed = sampleEvent('secretsmanager/put-secret-value.json');
    failed.detail.errorCode = 'AccessDenied';
    expect(await rotation(failed, lambdaContext())).toEqual({ invalidated: 0 });
    const other = { ...sampleEvent('secretsmanager/put-secret-value.json'), source: 'aws.s3' };
    expect(await rotation(other, lambdaContext())).toEqual({ invalidated: 0 });
    const unknownSecret = sampleEvent('secretsmanager/delete-secret.json');
    expect(await rotation(unknownSecret, lambdaContext())).toEqual({ invalidated: 0 });
  });
});
