import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient, type SecretListEntry } from '@aws-sdk/client-secrets-manager';
import { createResources } from '../../infra/local/resources.js';
import { startEmulator, type Emulator } from '../../infra/local/emulator.js';
import { secretValue, stack, uniqueName } from '../setup/clients.js';
import { apiEvent, lambdaContext, useFunctionEnvironment } from '../setup/in-process.js';

/**
 * AWS faults, on an emulator of this file's own (pausing the suite's would stall every other test
 * file) with the handlers in this process, using their real SDK clients:
 *   - throttling injected as an SDK middleware on each service's real calls -> ThrottlingException;
 *   - AWS 5xx -> 503 InternalServerException (DependencyFailure 'aws-unavailable');
 *   - the emulator paused (SIGSTOP) under a mixed load: every request ends with a 5xx AgentCore
 *     error or succeeds, before the function timeout; after SIGCONT the service works again at
 *     once, and nothing is half-written.
 */
const FUNCTION_TIMEOUT_MS = 15_000; // serverless.yml provider.timeout
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let emulator: Emulator;
let paused = false;
const pause = () => {
  process.kill(emulator.pid, 'SIGSTOP');
  paused = true;
};
const resume = () => {
  if (paused) process.kill(emulator.pid, 'SIGCONT');
  paused = false;
};

emulator = await startEmulator();
const clientConfig = { endpoint: emulator.endpoint, region: stack.region, credentials };
await createResources(stack.resources, clientConfig);
useFunctionEnvironment({ AWS_ENDPOINT_URL: emulator.endpoint });
const env = process.env;
const control = (await import('../../functions/control-plane.js')).handler;
const dataPlane = (await import('../../functions/data-plane.js')).handler;
const clients = await import('../../lib/aws/clients.js');
const { toAgentCoreError } = await import('../../lib/aws/errors.js');
const { EnvelopeCipher } = await import('../../lib/token-vault/envelope.js');
const { KmsKeyService } = await import('../../lib/token-vault/kms-key-service.js');

afterAll(async () => {
  resume();
  await emulator?.stop();
});

/** A Lambda context whose remaining time runs down from the function's timeout, as Lambda's does. */
function context(timeoutMs = FUNCTION_TIMEOUT_MS): Context {
  const end = Date.now() + timeoutMs;
  return { ...lambdaContext(), getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
}

interface Answer {
  status: number;
  errorType?: string;
  body: any;
  ms: number;
}
async function call(handler: typeof control, path: string, body: unknown, timeoutMs = FUNCTION_TIMEOUT_MS): Promise<Answer> {
  const started = Date.now();
  const result = await handler(apiEvent(path, body) as never, context(timeoutMs));
  return {
    status: result.statusCode ?? 0,
    errorType: result.headers?.['x-amzn-errortype'] as string | undefined,
    body: result.body ? JSON.parse(result.body) : undefined,
    ms: Date.now() - started,
  };
}
async function ok(handler: typeof control, path: string, body: unknown) {
  const answer = await call(handler, path, body);
  if (answer.status >= 300) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const createProvider = (name: string, apiKey: string) => call(control, '/identities/CreateApiKeyCredentialProvider', { name, apiKey });
const updateProvider = (name: string, apiKey: string) => call(control, '/identities/UpdateApiKeyCredentialProvider', { name, apiKey });
const deleteProvider = (name: string) => call(control, '/identities/DeleteApiKeyCredentialProvider', { name });
const mintWat = (workloadName: string) => call(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName });
const vendWith = (handler: typeof dataPlane, wat: string, name: string) =>
  call(handler, '/identities/api-key', { workloadIdentityToken: wat, resourceCredentialProviderName: name });

/**
 * Fault injection on the service's own SDK clients: an innermost middleware that answers chosen
 * operations the way the service would when throttling (or failing), so the SDK's real
 * deserializer, retry strategy and error classes handle it.
 */
type Fault = { status: number; type: string; message: string };
const faults = new Map<string, Fault>(); // operation name -> the answer to give
const attempts = new Map<string, number>();
function injectFaults(client: { middlewareStack: { add(mw: unknown, options: unknown): void } }, jsonVersion: string) {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, ctx: { commandName?: string }) => async (args: unknown) => {
      const operation = (ctx.commandName ?? '').replace(/Command$/, '');
      const fault = faults.get(operation);
      if (!fault) return next(args);
      attempts.set(operation, (attempts.get(operation) ?? 0) + 1);
      return {
        response: {
          statusCode: fault.status,
          headers: { 'content-type': `application/x-amz-json-${jsonVersion}`, 'x-amzn-requestid': 'injected' },
          body: Buffer.from(JSON.stringify({ __type: fault.type, message: fault.message })),
        },
      };
    },
    { step: 'deserialize', priority: 'low', name: 'injectFaultForTest' },
  );
}
injectFaults(clients.dynamoDocumentClient() as never, '1.0');
injectFaults(clients.secretsManagerClient() as never, '1.1');
injectFaults(clients.kmsClient() as never, '1.1');
const throttle = (operation: string, type = 'ThrottlingException') => faults.set(operation, { status: 400, type, message: 'Rate exceeded' });

const workloadName = uniqueName('faults-agent');
let wat = '';
beforeAll(async () => {
  await ok(control, '/identities/CreateWorkloadIdentity', { name: workloadName });
  wat = (await ok(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName })).workloadAccessToken;
});

async function managedSecrets(): Promise<SecretListEntry[]> {
  const sm = new SecretsManagerClient(clientConfig);
  const all: SecretListEntry[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sm.send(new ListSecretsCommand({ NextToken, IncludePlannedDeletion: true }));
    all.push(...(page.SecretList ?? []).filter((s) => s.Name?.startsWith(env.MANAGED_SECRET_PREFIX!)));
    NextToken = page.NextToken;
  } while (NextToken);
  sm.destroy();
  return all;
}
async function providerRecords(): Promise<Record<string, any>[]> {
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig));
  const items: Record<string, any>[] = [];
  for await (const page of paginateScan({ client: ddb }, { TableName: env.CREDENTIAL_PROVIDERS_TABLE! })) items.push(...(page.Items ?? []));
  ddb.destroy();
  return items;
}

describe('AWS throttling', () => {
  it('of DynamoDB on a vend is a ThrottlingException (429) after the SDK retried', async () => {
    const name = uniqueName('throttled-vend');
    expect((await createProvider(name, secretValue('throttled-vend'))).status).toBe(201);
    throttle('BatchGetItem', 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException');
    attempts.clear();
    try {
      const answer = await vendWith(dataPlane, wat, name);
      expect([answer.status, answer.errorType]).toEqual([429, 'ThrottlingException']);
      expect(attempts.get('BatchGetItem')).toBe(3);
    } finally {
      faults.clear();
    }
    expect((await vendWith(dataPlane, wat, name)).status).toBe(200);
  });

  it('of Secrets Manager on a create is a ThrottlingException, and nothing is written', async () => {
    const name = uniqueName('throttled-create');
    throttle('CreateSecret');
    try {
      const answer = await createProvider(name, secretValue('throttled-create'));
      expect([answer.status, answer.errorType]).toEqual([429, 'ThrottlingException']);
    } finally {
      faults.clear();
    }
    expect((await providerRecords()).filter((r) => r.name === name)).toEqual([]);
    expect((await managedSecrets()).filter((s) => s.Name!.includes(`/${name}-`))).toEqual([]);
  });

  it('of Secrets Manager on a vend (a rotated secret read) is a ThrottlingException, not a missing key', async () => {
    const name = uniqueName('throttled-read');
    expect((await createProvider(name, secretValue('throttled-read-1'))).status).toBe(201);
    expect((await vendWith(dataPlane, wat, name)).status).toBe(200);
    expect((await updateProvider(name, secretValue('throttled-read-2'))).status).toBe(200); // the next vend must fetch
    throttle('GetSecretValue');
    try {
      const answer = await vendWith(dataPlane, wat, name);
      expect([answer.status, answer.errorType]).toEqual([429, 'ThrottlingException']);
    } finally {
      faults.clear();
    }
    expect((await vendWith(dataPlane, wat, name)).body.apiKey).toMatch(/^sekret-throttled-read-2-/);
  });

  it('of KMS on SetTokenVaultCMK, and on a vault write and read, is a ThrottlingException', async () => {
    const kms = new KMSClient(clientConfig);
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    kms.destroy();
    throttle('DescribeKey');
    try {
      const answer = await call(control, '/identities/set-token-vault-cmk', { kmsConfiguration: { keyType: 'CustomerManagedKey', kmsKeyArn: KeyMetadata!.Arn } });
      expect([answer.status, answer.errorType]).toEqual([429, 'ThrottlingException']);
    } finally {
      faults.clear();
    }
    // The vault's envelope on the service's KMS client: a write (GenerateDataKey), a read (Decrypt).
    const context = { workload: workloadName, user: 'u', provider: 'p' };
    const sealed = await new EnvelopeCipher(new KmsKeyService(clients.kmsClient())).seal(env.SERVICE_KMS_KEY_ID!, context, 'token');
    for (const [operation, act] of [
      ['GenerateDataKey', () => new EnvelopeCipher(new KmsKeyService(clients.kmsClient())).seal(env.SERVICE_KMS_KEY_ID!, context, 'token')],
      ['Decrypt', () => new EnvelopeCipher(new KmsKeyService(clients.kmsClient())).open(sealed, context)],
    ] as const) {
      throttle(operation);
      try {
        const error = await (act as () => Promise<unknown>)().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(toAgentCoreError(error).errorType, operation).toBe('ThrottlingException');
      } finally {
        faults.clear();
      }
    }
  });
});

describe('AWS failing', () => {
  it('with 5xx is a 503 InternalServerException (DependencyFailure), never a 500 or a 4xx', async () => {
    const name = uniqueName('failing-vend');
    expect((await createProvider(name, secretValue('failing-vend'))).status).toBe(201);
    faults.set('BatchGetItem', { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' });
    try {
      const answer = await vendWith(dataPlane, wat, name);
      expect([answer.status, answer.errorType]).toEqual([503, 'InternalServerException']);
    } finally {
      faults.clear();
    }
  });

  it('stalling is cut off by the invocation budget from the Lambda context, not only by fixed timeouts', async () => {
    // 2 s left: AWS calls stop at 1 s (margin 1 s), long before the 2.5 s per-attempt timeout.
    pause();
    try {
      const answer = await call(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName }, 2_000);
      expect([answer.status, answer.errorType]).toEqual([503, 'InternalServerException']);
      expect(answer.ms).toBeLessThan(2_000); // before its function timeout: the bound, not a speed
    } finally {
      resume();
    }
  });

  it('stalling anywhere, even outside an AWS call, still answers with an AgentCore error before the timeout', async () => {
    // A stall the deadline signal cannot abort (it sits above the HTTP layer): the late answer.
    const stalled = new Promise(() => undefined);
    const client = clients.dynamoDocumentClient() as unknown as { middlewareStack: { add(mw: unknown, o: unknown): void; remove(name: string): boolean } };
    client.middlewareStack.add(() => () => stalled, { step: 'initialize', priority: 'high', name: 'stallForTest' });
    try {
      const answer = await call(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName }, 2_500);
      expect([answer.status, answer.errorType]).toEqual([503, 'InternalServerException']);
      expect(answer.ms).toBeLessThan(2_500);
    } finally {
      client.middlewareStack.remove('stallForTest');
    }
  });
});

describe('the emulator paused for 10 s under a mixed load', () => {
  it('ends every request before the function timeout with a 5xx AgentCore error or success, recovers at once, and leaves nothing half-written', async () => {
    // Providers each loop works on, created (and vended once, so their values are cached) first.
    const updated = await Promise.all([0, 1].map(async (i) => {
      const name = uniqueName(`paused-upd${i}`);
      const first = secretValue(`paused-upd${i}-0`);
      expect((await createProvider(name, first)).status).toBe(201);
      expect((await vendWith(dataPlane, wat, name)).body.apiKey).toBe(first);
      return { name, acked: first, unknown: new Set<string>(), refused: new Set<string>() };
    }));
    const doomed = await Promise.all([0, 1, 2, 3, 4, 5].map(async (i) => {
      const name = uniqueName(`paused-del${i}`);
      expect((await createProvider(name, secretValue(`paused-del${i}`))).status).toBe(201);
      return name;
    }));
    const created: string[] = [];
    const answers: (Answer & { op: string })[] = [];
    const record = (op: string, answer: Answer) => (answers.push({ ...answer, op }), answer);

    let loadOn = true;
    const loops = [
      // create / update / delete providers, vends, WAT minting, side by side
      async () => {
        for (let i = 0; loadOn; i++) {
          const name = uniqueName(`paused-new${i}`);
          created.push(name);
          record('create', await createProvider(name, secretValue(`paused-new${i}`)));
        }
      },
      ...updated.map((p) => async () => {
        for (let i = 1; loadOn; i++) {
          const value = secretValue(`${p.name}-${i}`);
          const answer = record('update', await updateProvider(p.name, value));
          if (answer.status === 200) p.acked = value;
          else if (answer.status >= 500) p.unknown.add(value);
          else p.refused.add(value);
        }
      }),
      async () => {
        for (const name of doomed) if (loadOn) record('delete', await deleteProvider(name));
      },
      async () => {
        while (loadOn) record('vend', await vendWith(dataPlane, wat, updated[0]!.name));
      },
      async () => {
        while (loadOn) record('wat', await mintWat(workloadName));
      },
    ];
    pause();
    const running = loops.map((loop) => loop());
    await new Promise((r) => setTimeout(r, 10_000));
    resume();
    loadOn = false;
    await Promise.all(running);

    // Every request ended before the function's timeout, as success or a 5xx AgentCore error.
    expect(answers.length).toBeGreaterThan(5);
    const slowest = Math.max(...answers.map((a) => a.ms));
    console.log(`paused emulator: ${answers.length} requests, slowest ${slowest} ms; statuses ${JSON.stringify(histogram(answers))}`);
    expect(slowest).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
    for (const a of answers) {
      if (a.status < 300) continue;
      // A conditional write the SDK retried after its first attempt was applied late reports what
      // the retry found: a create ConflictException, a delete ResourceNotFoundException, an update
      // racing its own earlier attempt ConflictException. The README tells clients to Get after a 5xx.
      if ((a.op === 'create' || a.op === 'update') && a.status === 409) continue;
      if (a.op === 'delete' && a.status === 404) continue;
      expect([a.op, a.status, a.errorType]).toEqual([a.op, 503, 'InternalServerException']);
    }

    // Recovered without a restart: every operation works again (moto first drains its backlog).
    const name = uniqueName('recovered');
    await expect.poll(async () => (await createProvider(name, secretValue('recovered'))).status, { timeout: 20_000, interval: 500 }).toBe(201);
    expect((await vendWith(dataPlane, wat, name)).status).toBe(200);
    expect((await updateProvider(name, secretValue('recovered-2'))).status).toBe(200);
    expect((await mintWat(workloadName)).status).toBe(200);
    expect((await deleteProvider(name)).status).toBe(204);
    await new Promise((r) => setTimeout(r, 2_000)); // requests moto accepted while paused are all served by now

    // Nothing half-written: every record's secret exists and holds its key ...
    const records = await providerRecords();
    const sm = new SecretsManagerClient(clientConfig);
    for (const r of records.filter((r) => r.secretSource === 'MANAGED')) {
      // The version the record names, where records name one (h-secrets), else the current one.
      const version = r.secretVersionId ? { VersionId: r.secretVersionId as string } : {};
      const read = await sm.send(new GetSecretValueCommand({ SecretId: r.secretArn, ...version })).catch((e: Error) => e);
      expect(read instanceof Error ? `${r.name}: ${read.name}` : `${r.name}: ok`).toBe(`${r.name}: ok`);
      if (!(read instanceof Error)) expect(JSON.parse(read.SecretString!)).toHaveProperty(r.jsonKey);
    }
    sm.destroy();
    // ... a warm container and a cold one vend the same value, never one whose caller was refused,
    // never older than the last acknowledged update. DEPENDS ON h-secrets (write ordering in
    // lib/credential-providers/): before it, an update cut off between its secret write and its
    // record write leaves the secret ahead of the record, and a cold container vends the newer value.
    vi.resetModules();
    const cold = (await import('../../functions/data-plane.js')).handler;
    for (const p of updated) {
      const warmValue = (await vendWith(dataPlane, wat, p.name)).body.apiKey;
      const coldValue = (await vendWith(cold, wat, p.name)).body.apiKey;
      expect([p.name, coldValue]).toEqual([p.name, warmValue]);
      expect(p.refused.has(warmValue)).toBe(false);
      expect(warmValue === p.acked || p.unknown.has(warmValue)).toBe(true);
    }
    // ... and every managed secret is named by a record once the hourly sweep has run (its clock
    // moved past the hour it leaves young secrets alone): what an interrupted create, update or
    // delete left behind is removed, nothing else. DEPENDS ON h-secrets: the sweep
    // (lib/credential-providers/managed-secret-sweep.ts) and the write ordering are theirs; on
    // h-faults alone the module does not exist and this assertion fails.
    const sweepModule = resolve(__dirname, '../../lib/credential-providers/managed-secret-sweep.ts');
    const { managedSecretSweep, DEFAULT_SWEEP_SETTINGS } = await import(/* @vite-ignore */ sweepModule);
    const { SecretsManagerSecretStore } = await import('../../lib/secrets/secrets-manager-store.js');
    const { DynamoDbCredentialProviderStore } = await import('../../lib/credential-providers/dynamodb-store.js');
    await managedSecretSweep({
      secrets: new SecretsManagerSecretStore(clients.secretsManagerClient(), env.SERVICE_KMS_KEY_ID!),
      providers: new DynamoDbCredentialProviderStore(clients.dynamoDocumentClient(), env.CREDENTIAL_PROVIDERS_TABLE!),
      settings: { managedSecretPrefix: env.MANAGED_SECRET_PREFIX!, ...DEFAULT_SWEEP_SETTINGS },
      now: () => Date.now() + 2 * 3_600_000,
    })();
    const named = new Set((await providerRecords()).map((r) => r.secretArn));
    const orphans = (await managedSecrets()).filter((s) => !s.DeletedDate && !named.has(s.ARN!)).map((s) => s.Name);
    expect(orphans).toEqual([]);
  }, 90_000);
});

function histogram(answers: (Answer & { op: string })[]) {
  const counts: Record<string, number> = {};
  for (const a of answers) counts[`${a.op} ${a.status}`] = (counts[`${a.op} ${a.status}`] ?? 0) + 1;
  return counts;
}
