import { describe, expect, it } from 'vitest';
import { CreateApiKeyCredentialProviderCommand, CreateWorkloadIdentityCommand, UpdateApiKeyCredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { GetResourceApiKeyCommand, GetWorkloadAccessTokenCommand } from '@aws-sdk/client-bedrock-agentcore';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { controlClient, dataClient, emulatorDocumentClient, emulatorSecretsClient, invokeFunction, secretValue, stack, uniqueName } from '../setup/clients.js';

const control = controlClient();
const data = dataClient();
const sm = emulatorSecretsClient();
const ddb = emulatorDocumentClient();

const ROUNDS = 10;
const WRITERS = 50;

async function storedProvider(name: string) {
  return (await ddb.send(new GetCommand({ TableName: stack.functionEnvironment.CREDENTIAL_PROVIDERS_TABLE!, Key: { kind: 'apikey', name }, ConsistentRead: true }))).Item!;
}

describe('concurrent updates of one MANAGED API key provider', () => {
  it(`${WRITERS} at once, ${ROUNDS} times: vends only ever give a committed value, the last one once all have answered`, async () => {
    const name = uniqueName('contended');
    const workloadName = uniqueName('contended-agent');
    let committed = secretValue('contended-0');
    await control.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: committed }));
    await control.send(new CreateWorkloadIdentityCommand({ name: workloadName }));
    const wat = (await data.send(new GetWorkloadAccessTokenCommand({ workloadName }))).workloadAccessToken!;
    const vend = async () => (await data.send(new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: name }))).apiKey!;
    let conflictsSeen = 0;

    for (let round = 1; round <= ROUNDS; round++) {
      const values = Array.from({ length: WRITERS }, (_, i) => secretValue(`contended-${round}-${i}`));
      let writing = true;
      const vended: string[] = [];
      // Vends run all through the round: none may ever see a value whose writer was refused.
      const vending = (async () => {
        while (writing) vended.push(await vend());
      })();
      const outcomes = await Promise.allSettled(values.map((apiKey) => control.send(new UpdateApiKeyCredentialProviderCommand({ name, apiKey }))));
      writing = false;
      await vending;

      const won = new Set<string>();
      const refused = new Set<string>();
      outcomes.forEach((outcome, i) => {
        if (outcome.status === 'fulfilled') won.add(values[i]!);
        else {
          // A refused writer is told so with a ConflictException, and with nothing else.
          expect((outcome.reason as Error).name, `round ${round}`).toBe('ConflictException');
          refused.add(values[i]!);
        }
      });
      conflictsSeen += refused.size;
      expect(won.size, `round ${round}`).toBeGreaterThan(0);
      for (const value of vended) {
        expect(refused.has(value), `round ${round}: a refused writer's value was vended`).toBe(false);
        expect(value === committed || won.has(value), `round ${round}: vended a value nobody committed`).toBe(true);
      }

      // The record's version is the highest committed one; its secret version holds a winner's value.
      const record = await storedProvider(name);
      const { SecretString } = await sm.send(new GetSecretValueCommand({ SecretId: record.secretArn, VersionId: record.secretVersionId }));
      const last = JSON.parse(SecretString!).apiKey as string;
      expect(won.has(last), `round ${round}`).toBe(true);
      expect(await vend()).toBe(last);
      // Once every writer has answered, AWSCURRENT is on that version too (for readers naming none).
      const stages = (await sm.send(new DescribeSecretCommand({ SecretId: record.secretArn }))).VersionIdsToStages!;
      expect(stages[record.secretVersionId], `round ${round}`).toContain('AWSCURRENT');
      expect(Object.values(stages).filter((labels) => labels.includes('AWSCURRENT'))).toHaveLength(1);
      committed = last;
    }
    // The race was real: most writers of each round lost it.
    expect(conflictsSeen).toBeGreaterThan(ROUNDS);
  }, 300_000);
});

describe('the managed secret sweep function', () => {
  it('runs as its schedule invokes it, and deletes nothing younger than an hour', async () => {
    const name = uniqueName('swept-live');
    const created = await control.send(new CreateApiKeyCredentialProviderCommand({ name, apiKey: secretValue('swept-live') }));
    const result = await invokeFunction('managedSecretSweep', { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    expect(result).toMatchObject({ scheduled: 0, failed: 0, deferred: 0 });
    expect(result.examined).toBeGreaterThan(0);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: created.apiKeySecretArn!.secretArn! }))).DeletedDate).toBeUndefined();
  });
});
