import { describe, expect, it } from 'vitest';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, paginateListSecrets } from '@aws-sdk/client-secrets-manager';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { emulatorDocumentClient, emulatorSecretsClient, secretValue, uniqueName } from '../setup/clients.js';
import { apiEvent, lambdaContext, useIsolatedTables } from '../setup/in-process.js';

/**
 * Create, update and delete of MANAGED providers interrupted at every AWS call they make, in this
 * process against the suite's emulator: a middleware on the service's own SDK clients fails one
 * call (before it is sent, or after it took effect with its answer lost) and every call after it,
 * as a crashed function would. Then the sweep runs as it would an hour later. Tables and the
 * managed prefix are this file's own, so the sweep never sees another test's secrets.
 */
const PREFIX = `agentcore-identity-local/torn-${Math.random().toString(16).slice(2, 8)}/providers/`;
await useIsolatedTables('torn', { MANAGED_SECRET_PREFIX: PREFIX });
const control = (await import('../../functions/control-plane.js')).handler;
const dataPlane = (await import('../../functions/data-plane.js')).handler;
const { dynamoDocumentClient, secretsManagerClient } = await import('../../lib/aws/clients.js');
const { SecretsManagerSecretStore } = await import('../../lib/secrets/secrets-manager-store.js');
const { DynamoDbCredentialProviderStore } = await import('../../lib/credential-providers/dynamodb-store.js');
const { managedSecretSweep } = await import('../../lib/credential-providers/managed-secret-sweep.js');

const TABLE = process.env.CREDENTIAL_PROVIDERS_TABLE!;
const sm = emulatorSecretsClient();
const ddb = emulatorDocumentClient();
const HOUR = 3_600_000;

/** The sweep as the scheduled function builds it, with its clock moved `aheadMs` into the future. */
function sweep(aheadMs: number) {
  return managedSecretSweep({
    secrets: new SecretsManagerSecretStore(secretsManagerClient(), process.env.SERVICE_KMS_KEY_ID!),
    providers: new DynamoDbCredentialProviderStore(dynamoDocumentClient(), TABLE),
    settings: { managedSecretPrefix: PREFIX, minAgeMs: HOUR, recoveryWindowDays: 7 },
    now: () => Date.now() + aheadMs,
  })();
}

// --- fault injection: a crash at the n-th AWS call of one operation ---------------------------
const fault = { armed: false, at: -1, after: false, calls: [] as string[], crashed: false };
class InjectedCrash extends Error {
  override name = 'InjectedCrash';
}
for (const client of [dynamoDocumentClient(), secretsManagerClient()] as { middlewareStack: any }[]) {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (!fault.armed) return next(args);
      if (fault.crashed) throw new InjectedCrash('the function is gone');
      const index = fault.calls.push(context.commandName ?? '?') - 1;
      if (index === fault.at && !fault.after) {
        fault.crashed = true;
        throw new InjectedCrash(`crash before ${context.commandName}`);
      }
      const result = await next(args);
      if (index === fault.at && fault.after) {
        fault.crashed = true;
        throw new InjectedCrash(`crash after ${context.commandName}`);
      }
      return result;
    },
    { step: 'initialize', name: 'injectedCrash' },
  );
}

/** The answer to one call is lost after it took effect, and the SDK retries it (a timeout). */
const lostAnswer = { commandName: '', armed: false, between: undefined as undefined | (() => Promise<unknown>) };
for (const client of [dynamoDocumentClient(), secretsManagerClient()] as { middlewareStack: any }[]) {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (!lostAnswer.armed || context.commandName !== lostAnswer.commandName) return next(args);
      lostAnswer.armed = false;
      await next(args);
      await lostAnswer.between?.();
      throw Object.assign(new Error('the answer was lost'), { name: 'TimeoutError', $metadata: {} });
    },
    // Inside the SDK's retry loop, so that the retry strategy sees the timeout and sends again.
    { step: 'finalizeRequest', name: 'lostAnswer' },
  );
}

/**
 * Secrets Manager lists only versions that carry a label (label-less ones are deprecated); moto
 * lists them all. With this on, the service's own client sees listings as AWS gives them.
 */
const awsListings = { on: false };
const labelled = (map?: Record<string, string[]>) => map && Object.fromEntries(Object.entries(map).filter(([, labels]) => labels.length > 0));
(secretsManagerClient() as { middlewareStack: any }).middlewareStack.add(
  (next: (args: unknown) => Promise<{ output: any }>) => async (args: unknown) => {
    const result = await next(args);
    if (awsListings.on) {
      if (result.output.VersionIdsToStages) result.output.VersionIdsToStages = labelled(result.output.VersionIdsToStages);
      for (const secret of result.output.SecretList ?? []) secret.SecretVersionsToStages = labelled(secret.SecretVersionsToStages);
    }
    return result;
  },
  { step: 'initialize', name: 'awsListings' },
);

async function interrupted<T>(at: number, after: boolean, work: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  Object.assign(fault, { armed: true, at, after, calls: [], crashed: false });
  try {
    return { result: await work(), calls: fault.calls };
  } finally {
    fault.armed = false;
  }
}

async function call(handler: typeof control, path: string, body: unknown) {
  const result = await handler(apiEvent(path, body) as never, lambdaContext());
  return { status: result.statusCode ?? 500, errorType: result.headers?.['x-amzn-errortype'], body: result.body ? JSON.parse(result.body) : undefined };
}

async function ok(handler: typeof control, path: string, body: unknown) {
  const result = await call(handler, path, body);
  if (result.status >= 300) throw new Error(`${path}: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body;
}

// --- what must hold after anything --------------------------------------------------------------
async function records(): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Managed secrets not scheduled for deletion, with their versions' stages. */
async function liveManagedSecrets() {
  const found: { arn: string; versions: Record<string, string[]> }[] = [];
  for await (const page of paginateListSecrets({ client: sm }, { Filters: [{ Key: 'name', Values: [PREFIX] }] })) {
    for (const s of page.SecretList ?? []) if (s.Name!.startsWith(PREFIX) && !s.DeletedDate) found.push({ arn: s.ARN!, versions: s.SecretVersionsToStages ?? {} });
  }
  return found;
}

const valueAt = async (arn: string, VersionId: string) => JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId }))).SecretString!).apiKey as string;

/** Every managed record names a version that exists; the sweep leaves no secret a record does not name. */
async function checkConsistent() {
  for (const record of await records()) {
    if (record.secretSource !== 'MANAGED') continue;
    expect(record.secretVersionId, record.name).toBeTruthy();
    expect(await valueAt(record.secretArn, record.secretVersionId), record.name).toBeTruthy();
  }
  await sweep(2 * HOUR);
  const all = await records();
  const named = new Set(all.map((r) => r.secretArn as string));
  const pinned = new Map(all.filter((r) => r.secretSource === 'MANAGED').map((r) => [r.secretArn as string, r.secretVersionId as string]));
  const live = await liveManagedSecrets();
  for (const secret of live) {
    expect(named.has(secret.arn), `orphan ${secret.arn}`).toBe(true);
    // The sweep finished any promotion an interruption left undone.
    if (pinned.has(secret.arn)) expect(secret.versions[pinned.get(secret.arn)!]).toContain('AWSCURRENT');
  }
  for (const arn of pinned.keys()) expect(live.map((s) => s.arn)).toContain(arn);
}

const workloadName = uniqueName('torn-agent');
await ok(control, '/identities/CreateWorkloadIdentity', { name: workloadName });
const { workloadAccessToken } = await ok(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName });
const vend = async (provider: string) => {
  const result = await call(dataPlane, '/identities/api-key', { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: provider });
  return result.status === 200 ? (result.body.apiKey as string) : String(result.errorType);
};

const customerValue = secretValue('torn-customer');
const customer = await sm.send(new CreateSecretCommand({ Name: uniqueName('torn-customer/key'), SecretString: JSON.stringify({ apiKey: customerValue }) }));

interface Scenario {
  label: string;
  /** The provider as it is before the operation; returns its value then, if any. */
  before: (name: string) => Promise<string | undefined>;
  operation: (name: string, value: string) => Promise<unknown>;
}

const createManaged = async (name: string) => {
  const value = secretValue('torn-old');
  await ok(control, '/identities/CreateApiKeyCredentialProvider', { name, apiKey: value });
  return value;
};

const scenarios: Scenario[] = [
  { label: 'create', before: async () => undefined, operation: (name, apiKey) => call(control, '/identities/CreateApiKeyCredentialProvider', { name, apiKey }) },
  { label: 'update of a managed key', before: createManaged, operation: (name, apiKey) => call(control, '/identities/UpdateApiKeyCredentialProvider', { name, apiKey }) },
  {
    label: 'switch from EXTERNAL to MANAGED',
    before: async (name) => {
      await ok(control, '/identities/CreateApiKeyCredentialProvider', { name, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: customer.ARN, jsonKey: 'apiKey' } });
      return undefined;
    },
    operation: (name, apiKey) => call(control, '/identities/UpdateApiKeyCredentialProvider', { name, apiKeySecretSource: 'MANAGED', apiKey }),
  },
  {
    label: 'switch from MANAGED to EXTERNAL',
    before: createManaged,
    operation: (name) => call(control, '/identities/UpdateApiKeyCredentialProvider', { name, apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: customer.ARN, jsonKey: 'apiKey' } }),
  },
  { label: 'delete', before: createManaged, operation: (name) => call(control, '/identities/DeleteApiKeyCredentialProvider', { name }) },
];

describe('a write interrupted at any AWS call', () => {
  it.each(scenarios)('$label leaves no orphan once the sweep runs, and no record naming a missing version', async ({ before, operation }) => {
    // A run without a crash says how many calls the operation makes.
    const dry = uniqueName('torn');
    await before(dry);
    const { calls } = await interrupted(Number.MAX_SAFE_INTEGER, false, () => operation(dry, secretValue('torn-dry')));
    expect(calls.length).toBeGreaterThan(0);
    for (let at = 0; at < calls.length; at++) {
      for (const after of [false, true]) {
        const name = uniqueName('torn');
        const old = await before(name);
        const next = secretValue('torn-new');
        await interrupted(at, after, () => operation(name, next));
        const where = `${after ? 'after' : 'before'} ${calls[at]} (#${at})`;
        await checkConsistent();
        // Whatever the interruption, a vend gives the value before or the value after, never another.
        const vended = await vend(name);
        expect([old ?? customerValue, next, customerValue, 'ResourceNotFoundException'], `${where}: ${vended.slice(0, 30)}`).toContain(vended);
      }
    }
  }, 120_000);
});

describe('the managed secret sweep', () => {
  it('schedules deletion only of managed-prefix secrets no record names and older than an hour, with a recovery window', async () => {
    const owned = await ok(control, '/identities/CreateApiKeyCredentialProvider', { name: uniqueName('swept-owner'), apiKey: secretValue('sweep-owned') });
    const orphan = await sm.send(new CreateSecretCommand({ Name: `${PREFIX}apikey/${uniqueName('gone')}-0123abcd`, SecretString: '{"apiKey":"x"}' }));
    const oddName = await sm.send(new CreateSecretCommand({ Name: `${PREFIX}${uniqueName('odd')}`, SecretString: '{}' }));
    // Named by a record only through the index (its name says no provider): kept.
    const indexed = await sm.send(new CreateSecretCommand({ Name: `${PREFIX}${uniqueName('indexed')}`, SecretString: '{"apiKey":"y"}' }));
    const indexedName = uniqueName('indexed-provider');
    await ddb.send(
      new PutCommand({
        TableName: TABLE,
        Item: { kind: 'apikey', name: indexedName, secretSource: 'EXTERNAL', secretArn: indexed.ARN, jsonKey: 'apiKey', createdTime: 1, lastUpdatedTime: 1, version: 1, secretGeneration: 0 },
      }),
    );
    const outside = await sm.send(new CreateSecretCommand({ Name: `agentcore-identity-local/not-managed-${uniqueName('x')}`, SecretString: '{}' }));
    const deleted = async (arn: string) => (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).DeletedDate;

    // Within the hour nothing goes: a create in flight has written its secret and not yet its record.
    const early = await sweep(0);
    expect(early.scheduled).toBe(0);
    expect(early.young).toBeGreaterThanOrEqual(2);
    for (const arn of [orphan.ARN!, oddName.ARN!]) expect(await deleted(arn)).toBeUndefined();

    const late = await sweep(2 * HOUR);
    expect(late.scheduled).toBeGreaterThanOrEqual(2);
    // Scheduled, not forced: the secret still exists, restorable during its recovery window.
    for (const arn of [orphan.ARN!, oddName.ARN!]) expect(await deleted(arn)).toBeInstanceOf(Date);
    for (const arn of [owned.apiKeySecretArn.secretArn, indexed.ARN!, outside.ARN!]) expect(await deleted(arn)).toBeUndefined();
    expect(await vend(owned.name)).toMatch(/^sekret-sweep-owned-/);
  });

  it('moves AWSCURRENT to the version the record names when an update stopped right after its commit', async () => {
    const name = uniqueName('half-promoted');
    await createManaged(name);
    const next = secretValue('half-promoted');
    // Find the commit (the conditional PutItem), then crash just after it.
    const dry = uniqueName('half-promoted-dry');
    await createManaged(dry);
    const { calls } = await interrupted(Number.MAX_SAFE_INTEGER, false, () => call(control, '/identities/UpdateApiKeyCredentialProvider', { name: dry, apiKey: secretValue('dry') }));
    const commit = calls.indexOf('PutItemCommand');
    expect(commit).toBeGreaterThan(0);
    const { result } = await interrupted(commit, true, () => call(control, '/identities/UpdateApiKeyCredentialProvider', { name, apiKey: next }));
    expect(result.status).toBeGreaterThanOrEqual(500);
    // Committed: the vend already serves the new value, though AWSCURRENT has not moved.
    expect(await vend(name)).toBe(next);
    const record = (await records()).find((r) => r.name === name)!;
    const stagesBefore = (await sm.send(new DescribeSecretCommand({ SecretId: record.secretArn }))).VersionIdsToStages!;
    expect(stagesBefore[record.secretVersionId]).not.toContain('AWSCURRENT');
    expect((await sweep(0)).promoted).toBeGreaterThanOrEqual(1);
    const stagesAfter = (await sm.send(new DescribeSecretCommand({ SecretId: record.secretArn }))).VersionIdsToStages!;
    expect(stagesAfter[record.secretVersionId]).toContain('AWSCURRENT');
    expect(await vend(name)).toBe(next);
  });
});

describe('a committed version whose staging label a later write took over', () => {
  it('is promoted all the same, though Secrets Manager lists only labelled versions', async () => {
    const { PutSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const { randomUUID } = await import('node:crypto');
    const name = uniqueName('label-less');
    await createManaged(name);
    const dry = uniqueName('label-less-dry');
    await createManaged(dry);
    const { calls } = await interrupted(Number.MAX_SAFE_INTEGER, false, () => call(control, '/identities/UpdateApiKeyCredentialProvider', { name: dry, apiKey: secretValue('dry') }));
    const next = secretValue('label-less');
    await interrupted(calls.indexOf('PutItemCommand'), true, () => call(control, '/identities/UpdateApiKeyCredentialProvider', { name, apiKey: next }));
    const record = (await records()).find((r) => r.name === name)!;
    // A later update stages its version (and then loses its race): the committed one has no label left.
    await sm.send(new PutSecretValueCommand({ SecretId: record.secretArn, SecretString: JSON.stringify({ apiKey: secretValue('loser') }), ClientRequestToken: randomUUID(), VersionStages: ['AGENTCORE_PENDING'] }));
    expect((await sm.send(new DescribeSecretCommand({ SecretId: record.secretArn }))).VersionIdsToStages![record.secretVersionId]).toEqual([]);
    awsListings.on = true;
    try {
      const result = await sweep(0);
      expect(result.failed).toBe(0);
    } finally {
      awsListings.on = false;
    }
    expect((await sm.send(new DescribeSecretCommand({ SecretId: record.secretArn }))).VersionIdsToStages![record.secretVersionId]).toContain('AWSCURRENT');
    expect(await vend(name)).toBe(next);
  });
});

describe('vending a MANAGED key by the version its record names', () => {
  it('warm, makes no Secrets Manager call: the value is cached by ARN and version', async () => {
    const name = uniqueName('warm');
    const value = await createManaged(name);
    expect(await vend(name)).toBe(value);
    const { result, calls } = await interrupted(Number.MAX_SAFE_INTEGER, false, () => vend(name));
    expect(result).toBe(value);
    expect(calls).toEqual(['BatchGetItemCommand']);
    const next = secretValue('warm-next');
    await ok(control, '/identities/UpdateApiKeyCredentialProvider', { name, apiKey: next });
    const after = await interrupted(Number.MAX_SAFE_INTEGER, false, () => vend(name));
    expect(after.result).toBe(next);
    expect(after.calls).toEqual(['BatchGetItemCommand', 'GetSecretValueCommand']);
  });

  it('ignores stage-move events of its managed secret (its own writes): the record is not touched', async () => {
    const rotation = (await import('../../functions/secret-rotation.js')).handler;
    const { sampleEvent } = await import('../setup/in-process.js');
    const name = uniqueName('pinned');
    await createManaged(name);
    const before = (await records()).find((r) => r.name === name)!;
    const event = sampleEvent('secretsmanager/update-secret-version-stage.json');
    event.detail.responseElements.arn = before.secretArn;
    expect(await rotation(event, lambdaContext())).toEqual({ invalidated: 0 });
    expect((await records()).find((r) => r.name === name)!.version).toBe(before.version);
  });
});

describe('a record write whose answer was lost and that the SDK retried', () => {
  async function withLostAnswer<T>(commandName: string, work: () => Promise<T>, between?: () => Promise<unknown>): Promise<T> {
    Object.assign(lostAnswer, { commandName, armed: true, between });
    try {
      return await work();
    } finally {
      Object.assign(lostAnswer, { armed: false, between: undefined });
    }
  }

  it('is recognized as its own (the retry is refused by the write it repeats): create and update succeed, nothing is undone', async () => {
    const name = uniqueName('retried');
    const first = secretValue('retried-create');
    const created = await withLostAnswer('PutItemCommand', () => call(control, '/identities/CreateApiKeyCredentialProvider', { name, apiKey: first }));
    expect(created.status).toBe(201);
    expect(await vend(name)).toBe(first);
    const next = secretValue('retried-update');
    const updated = await withLostAnswer('PutItemCommand', () => call(control, '/identities/UpdateApiKeyCredentialProvider', { name, apiKey: next }));
    expect(updated.status).toBe(200);
    expect(await vend(name)).toBe(next);
    await checkConsistent();
  });

  it('is a delete that succeeded: the retry answers 204 and the secret goes at once, not an hour later', async () => {
    const name = uniqueName('retried-delete');
    await createManaged(name);
    const arn = (await records()).find((r) => r.name === name)!.secretArn as string;
    const deleted = await withLostAnswer('DeleteItemCommand', () => call(control, '/identities/DeleteApiKeyCredentialProvider', { name }));
    expect(deleted.status).toBe(204);
    expect((await records()).some((r) => r.name === name)).toBe(false);
    expect((await liveManagedSecrets()).map((s) => s.arn)).not.toContain(arn);
    // A second delete is another caller's: it finds nothing.
    expect((await call(control, '/identities/DeleteApiKeyCredentialProvider', { name })).errorType).toBe('ResourceNotFoundException');
    const workload = uniqueName('retried-delete-agent');
    await ok(control, '/identities/CreateWorkloadIdentity', { name: workload });
    const gone = await withLostAnswer('DeleteItemCommand', () => call(control, '/identities/DeleteWorkloadIdentity', { name: workload }));
    expect(gone.status).toBe(204);
    expect((await call(control, '/identities/GetWorkloadIdentity', { name: workload })).errorType).toBe('ResourceNotFoundException');
  });

  it('is never reported as a conflict when another update committed in between: the outcome is unknown, a retryable error', async () => {
    const name = uniqueName('retried-race');
    await createManaged(name);
    const mine = secretValue('retried-mine');
    const theirs = secretValue('retried-theirs');
    const result = await withLostAnswer(
      'PutItemCommand',
      () => call(control, '/identities/UpdateApiKeyCredentialProvider', { name, apiKey: mine }),
      () => ok(control, '/identities/UpdateApiKeyCredentialProvider', { name, apiKey: theirs }),
    );
    // Its value was committed, and could have been vended before the other update replaced it.
    expect(result.status).toBe(500);
    expect(result.errorType).toBe('InternalServerException');
    expect(await vend(name)).toBe(theirs);
    await checkConsistent();
  });
});
