/**
 * `npm run bench`: measures, in one run against the emulator, what a warm vend costs against the
 * naive path, and what each function weighs. Counts are of calls that reach AWS services, taken
 * by an SDK middleware on the very clients the handlers use; latencies are of in-process handler
 * calls. Nothing here asserts a time: the table is the result.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startEmulator } from '../../infra/local/emulator.js';
import { apiEvent, lambdaContext } from '../setup/lambda-events.js';
import { loopbackOauth2Provider, ROOT, useBenchEnvironment } from './environment.js';
import { costTable, itemSize, readUnits, type VendProfile } from './cost.js';

/** The environment before the vending bench pointed it at its own (by then stopped) emulator. */
const INITIAL_ENV = { ...process.env };
/** Untimed calls per path before the first round, and before each round (the path's connections and caches warm again). */
const WARMUP = 20;
const ROUND_WARMUP = 3;
const CALLS = Number(process.env.BENCH_CALLS ?? 90);
// An odd number of rounds, so the median over rounds is one of them.
const ROUNDS = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 7));

/** 'service keys' counts the Secrets Manager reads of the token-signing keys: a container re-reads them once per SECRET_CACHE_MAX_AGE_SECONDS, whichever vend comes then. */
type Service = 'DynamoDB' | 'Secrets Manager' | 'KMS' | 'service keys';
const counts: Record<Service, number> = { DynamoDB: 0, 'Secrets Manager': 0, KMS: 0, 'service keys': 0 };
/** Set during a probe vend: every DynamoDB read it makes (table, key, consistency), to size the items afterwards. */
let reads: { table: string; key: Record<string, unknown>; consistent: boolean }[] | undefined;

/** Counts calls that reach AWS and, while probing, notes DynamoDB reads: an SDK middleware on the very client a handler uses. */
function countCalls(client: unknown) {
  (client as { middlewareStack: { add: Function } }).middlewareStack.add(
    (next: (args: { input: any }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => async (args: { input: any }) => {
      const service = ({ DynamoDBClient: 'DynamoDB', SecretsManagerClient: 'Secrets Manager', KMSClient: 'KMS' } as Record<string, Service | undefined>)[context.clientName ?? ''];
      if (service) counts[service] += 1;
      if (service === 'Secrets Manager' && args.input?.SecretId === process.env.SERVICE_KEYS_SECRET_ID) counts['service keys'] += 1;
      if (reads && /^Get(Item)?Command$/.test(context.commandName ?? '')) reads.push({ table: args.input.TableName, key: args.input.Key, consistent: !!args.input.ConsistentRead });
      if (reads && /^BatchGet(Item)?Command$/.test(context.commandName ?? '')) {
        for (const [table, request] of Object.entries(args.input.RequestItems as Record<string, { Keys: Record<string, unknown>[]; ConsistentRead?: boolean }>)) {
          for (const key of request.Keys) reads.push({ table, key, consistent: !!request.ConsistentRead });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
}

/** Everything written to stdout and stderr while the bench runs handlers: counted (the log bytes a vend ships to CloudWatch), never shown. */
const logs = { bytes: 0, lines: 0 };
function swallowLogs(): () => void {
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      logs.bytes += Buffer.byteLength(text);
      logs.lines += text.split('\n').length - 1;
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
  }
  return () => streams.forEach((stream, i) => (stream.write = writes[i]!));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** ours: a vend through our handler; naive: the real-handler baseline; floor: one raw DynamoDB read; reference: for reading the others. */
type Role = 'ours' | 'naive' | 'floor' | 'reference';
interface Path {
  label: string;
  role: Role;
  call: () => Promise<void>;
  /** Settings the path runs under (set before its calls, removed after). */
  env?: Record<string, string>;
}
interface Measured extends Path {
  p50s: number[];
  p99s: number[];
  calls: number;
  counts: Record<Service, number>;
  logBytes: number;
  logLines: number;
  /** The items one probe vend read: their sizes and the read units they cost. */
  items: { table: string; bytes: number; consistent: boolean; units: number }[];
}

async function withEnv<T>(env: Record<string, string> | undefined, run: () => Promise<T>): Promise<T> {
  Object.assign(process.env, env);
  try {
    return await run();
  } finally {
    for (const name of Object.keys(env ?? {})) delete process.env[name];
  }
}

/** Every path for CALLS calls per round, ROUNDS rounds, forward then backward so a machine that drifts favours no one. */
async function runRounds(paths: Path[], sizeOf: (read: NonNullable<typeof reads>[number]) => Promise<number>): Promise<Measured[]> {
  const measured: Measured[] = [];
  for (const path of paths) {
    const items: Measured['items'] = [];
    await withEnv(path.env, async () => {
      for (let i = 0; i < WARMUP; i++) await path.call();
      reads = [];
      await path.call();
      const probed = reads;
      reads = undefined;
      for (const read of probed) {
        const bytes = await sizeOf(read);
        items.push({ table: read.table, bytes, consistent: read.consistent, units: readUnits(bytes, read.consistent) });
      }
    });
    measured.push({ ...path, p50s: [], p99s: [], calls: 0, counts: { DynamoDB: 0, 'Secrets Manager': 0, KMS: 0, 'service keys': 0 }, logBytes: 0, logLines: 0, items });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const path of round % 2 ? [...measured].reverse() : measured) {
      await withEnv(path.env, async () => {
        for (let i = 0; i < ROUND_WARMUP; i++) await path.call();
        const before = { ...counts };
        const logsBefore = { ...logs };
        const times: number[] = [];
        for (let i = 0; i < CALLS; i++) {
          const started = process.hrtime.bigint();
          await path.call();
          times.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        times.sort((a, b) => a - b);
        path.p50s.push(percentile(times, 50));
        path.p99s.push(percentile(times, 99));
        path.calls += CALLS;
        path.logBytes += logs.bytes - logsBefore.bytes;
        path.logLines += logs.lines - logsBefore.lines;
        for (const service of Object.keys(counts) as Service[]) path.counts[service] += counts[service] - before[service];
      });
    }
  }
  return measured;
}

async function vendingBench() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const emulator = await startEmulator();
  // Handlers log at the deployed level (the log bytes are part of the cost); the lines are counted, not shown.
  const restoreLogs = swallowLogs();
  let closeTokenServer = async () => {};
  try {
    const config = await useBenchEnvironment(emulator, 'bench', { ALLOW_LOOPBACK_ENDPOINTS: 'true' });
    const provider = (config as unknown as { provider: { memorySize?: number; environment?: Record<string, string> } }).provider;
    process.env.POWERTOOLS_LOG_LEVEL = provider.environment?.POWERTOOLS_LOG_LEVEL || 'INFO';
    delete process.env.VEND_CACHE_MILLISECONDS;
    const clients = await import('../../lib/aws/clients.js');
    for (const client of [clients.dynamoDocumentClient(), clients.secretsManagerClient(), clients.kmsClient()]) countCalls(client);
    const control = (await import('../../functions/control-plane.js')).handler;
    const dataPlane = (await import('../../functions/data-plane.js')).handler;
    const naive = await import('./naive-handler.js');
    const where = { region: 'us-east-1', accountId: '123456789012' };
    const call = async (handler: (event: never, context: never) => Promise<unknown>, path: string, body: unknown) => {
      const result = (await handler(apiEvent(path, body) as never, lambdaContext(where) as never)) as { statusCode?: number; body?: string };
      if ((result.statusCode ?? 500) >= 300) throw new Error(`${path}: ${result.statusCode} ${result.body}`);
      return result.body ? JSON.parse(result.body) : undefined;
    };

    await call(control, '/identities/CreateWorkloadIdentity', { name: 'bench-agent' });
    const sm = clients.secretsManagerClient();
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'bench/external', SecretString: JSON.stringify({ key: 'bench-external-value' }) }));
    await call(control, '/identities/CreateApiKeyCredentialProvider', { name: 'bench-managed', apiKey: 'bench-managed-value' });
    await call(control, '/identities/CreateApiKeyCredentialProvider', { name: 'bench-external', apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: ARN, jsonKey: 'key' } });
    const { workloadAccessToken } = await call(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName: 'bench-agent' });
    const apiKey = (provider: string) => async () => {
      await call(dataPlane, '/identities/api-key', { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: provider });
    };
    const oauth2 = await oauth2Rows(call, control, dataPlane, workloadAccessToken);
    closeTokenServer = oauth2.close;

    // The naive handler's Secrets Manager client exists once getSecret has run.
    const naiveVend = async () => {
      const result = await naive.handler(apiEvent('/identities/api-key', { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: 'bench-external' }) as never, lambdaContext(where));
      if (JSON.parse((result as { body: string }).body).apiKey !== 'bench-external-value') throw new Error(`naive handler: ${JSON.stringify(result)}`);
    };
    await naiveVend();
    countCalls(naive.naiveClients().dynamodb);
    countCalls(naive.naiveClients().secretsManager);

    const ddb = clients.dynamoDocumentClient();
    const table = process.env.CREDENTIAL_PROVIDERS_TABLE!;
    const paths: Path[] = [
      { label: 'ours: GetResourceApiKey (managed)', role: 'ours', call: apiKey('bench-managed') },
      { label: 'ours: GetResourceApiKey (external)', role: 'ours', call: apiKey('bench-external') },
      ...oauth2.paths,
      // The optional freshness window: the registry is read once a second at most.
      { label: 'ours: GetResourceApiKey (external), VEND_CACHE_MILLISECONDS=1000', role: 'reference', call: apiKey('bench-external'), env: { VEND_CACHE_MILLISECONDS: '1000' } },
      // The optional strongly consistent registry reads: news at once, twice the read units.
      { label: 'ours: GetResourceApiKey (external), VEND_CONSISTENT_READS=true', role: 'reference', call: apiKey('bench-external'), env: { VEND_CONSISTENT_READS: 'true' } },
      { label: 'naive handler: middy + logger + getSecret (5 s cache) + GetItem', role: 'naive', call: naiveVend },
      {
        label: 'floor: one raw DynamoDB GetItem (strongly consistent)',
        role: 'floor',
        call: async () => {
          await ddb.send(new GetCommand({ TableName: table, Key: { kind: 'apikey', name: 'bench-external' }, ConsistentRead: true }));
        },
      },
      {
        label: 'reference: one raw Secrets Manager GetSecretValue',
        role: 'reference',
        call: async () => {
          await sm.send(new GetSecretValueCommand({ SecretId: ARN! }));
        },
      },
    ];
    // Item sizes from the items as stored (a projection does not lower what a read costs).
    const raw = new DynamoDBClient({});
    const sizeOf = async (read: { table: string; key: Record<string, unknown> }) => {
      // Keys arrive as the document client was given them (strings and numbers) or already marshalled.
      const attribute = (v: unknown): AttributeValue => (typeof v === 'object' && v !== null ? (v as AttributeValue) : typeof v === 'number' ? { N: String(v) } : { S: String(v) });
      const marshalled = Object.fromEntries(Object.entries(read.key).map(([name, v]) => [name, attribute(v)]));
      const { Item } = await raw.send(new GetItemCommand({ TableName: read.table, Key: marshalled, ConsistentRead: true }));
      return Item ? itemSize(Item) : 0;
    };
    const started = Date.now();
    const measured = await runRounds(paths, sizeOf);
    return { measured, seconds: (Date.now() - started) / 1000, memoryMb: Number(provider.memorySize ?? 1024), logLevel: process.env.POWERTOOLS_LOG_LEVEL };
  } finally {
    restoreLogs();
    await closeTokenServer();
    await emulator.stop();
  }
}

/**
 * Warm OAuth2 vends: M2M against a loopback token endpoint (the token is cached after the first
 * call), and USER_FEDERATION with a binding already in the vault (written here through the same
 * vault code, so the handler's first read decrypts its data key once, during warm-up). The token
 * server stays up until `close`.
 */
async function oauth2Rows(call: (handler: any, path: string, body: unknown) => Promise<any>, control: unknown, dataPlane: unknown, workloadAccessToken: string) {
  const { createServer } = await import('node:http');
  const tokenServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ access_token: `m2m-${Math.random().toString(36).slice(2)}`, token_type: 'Bearer', expires_in: 3600 }));
  });
  await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
  const close = () => new Promise<void>((r) => tokenServer.close(() => r()));
  const base = `http://127.0.0.1:${(tokenServer.address() as { port: number }).port}`;
  try {
    await call(control, '/identities/CreateOauth2CredentialProvider', loopbackOauth2Provider('bench-oauth', base));
    const { workloadAccessToken: userWat } = await call(dataPlane, '/identities/GetWorkloadAccessTokenForUserId', { workloadName: 'bench-agent', userId: 'bench-user' });
    const clients = await import('../../lib/aws/clients.js');
    const { TokenVault } = await import('../../lib/token-vault/vault.js');
    const { DynamoDbTokenVaultStore } = await import('../../lib/token-vault/dynamodb-store.js');
    const { EnvelopeCipher } = await import('../../lib/token-vault/envelope.js');
    const { KmsKeyService } = await import('../../lib/token-vault/kms-key-service.js');
    const vault = new TokenVault(
      new DynamoDbTokenVaultStore(clients.dynamoDocumentClient(), process.env.TOKEN_VAULT_TABLE!),
      new EnvelopeCipher(new KmsKeyService(clients.kmsClient())),
      async () => process.env.SERVICE_KMS_KEY_ID!,
    );
    const { Item } = await clients.dynamoDocumentClient().send(new GetCommand({ TableName: process.env.WORKLOAD_IDENTITIES_TABLE!, Key: { directory: 'default', name: 'bench-agent' } }));
    const { Item: oauthProvider } = await clients.dynamoDocumentClient().send(new GetCommand({ TableName: process.env.CREDENTIAL_PROVIDERS_TABLE!, Key: { kind: 'oauth2', name: 'bench-oauth' } }));
    await vault.write({ workload: `bench-agent@${Item!.createdTime}`, user: 'id:bench-user', provider: `oauth2/bench-oauth@${oauthProvider!.createdTime}` }, { accessToken: 'bench-user-token', refreshToken: 'bench-refresh' }, { scopes: ['read'], expiresAt: Date.now() + 3_600_000 });
    const paths: Path[] = [
      {
        label: 'ours: GetResourceOauth2Token (M2M)',
        role: 'ours',
        call: async () => {
          await call(dataPlane, '/identities/oauth2/token', { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: 'bench-oauth', scopes: ['read'], oauth2Flow: 'M2M' });
        },
      },
      {
        label: 'ours: GetResourceOauth2Token (USER_FEDERATION)',
        role: 'ours',
        call: async () => {
          const result = await call(dataPlane, '/identities/oauth2/token', { workloadIdentityToken: userWat, resourceCredentialProviderName: 'bench-oauth', scopes: ['read'], oauth2Flow: 'USER_FEDERATION' });
          if (result.accessToken !== 'bench-user-token') throw new Error('the vault did not answer');
        },
      },
    ];
    return { paths, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The AWS SDK packages a same-clients baseline imports when a function's bundle holds them. */
const SDK_CLIENTS: Record<string, { imports: string; client: string }> = {
  '@aws-sdk/client-dynamodb': { imports: "import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';", client: 'new DynamoDBClient({}).send(new GetItemCommand({ TableName: "t", Key: {} }))' },
  '@aws-sdk/lib-dynamodb': { imports: "import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';", client: 'DynamoDBDocumentClient.from(new DynamoDBClient({})).send(new GetCommand({ TableName: "t", Key: {} }))' },
  '@aws-sdk/client-secrets-manager': { imports: "import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';", client: 'new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: "s" }))' },
  '@aws-sdk/client-kms': { imports: "import { KMSClient, DecryptCommand } from '@aws-sdk/client-kms';", client: 'new KMSClient({}).send(new DecryptCommand({ CiphertextBlob: new Uint8Array() }))' },
  '@aws-sdk/client-iam': { imports: "import { IAMClient, GetRoleCommand } from '@aws-sdk/client-iam';", client: 'new IAMClient({}).send(new GetRoleCommand({ RoleName: "r" }))' },
  '@aws-sdk/client-sts': { imports: "import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';", client: 'new STSClient({}).send(new GetCallerIdentityCommand({}))' },
};

/**
 * A handler a user would write with middy and the Powertools logger, calling the given SDK clients
 * (built on first call, as ours are): the floor a function of ours that needs those clients can
 * reach. With no clients, the bare middy + logger handler.
 */
function baselineSource(packages: string[]): string {
  const used = Object.keys(SDK_CLIENTS).filter((p) => packages.includes(p));
  return [
    "import middy from '@middy/core';",
    "import { Logger } from '@aws-lambda-powertools/logger';",
    "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
    ...used.map((p) => SDK_CLIENTS[p]!.imports),
    'const logger = new Logger();',
    `export const handler = middy().use(injectLambdaContext(logger)).handler(async () => { await Promise.all([${used.map((p) => SDK_CLIENTS[p]!.client).join(', ')}]); return { statusCode: 200 }; });`,
  ].join('\n');
}

/** CPU milliseconds a fresh Node process spends requiring a bundle (steadier than wall time on a shared machine). */
function importCpuMs(file: string): number {
  const script = `const c=process.cpuUsage();require(${JSON.stringify(file)});const u=process.cpuUsage(c);console.log((u.user+u.system)/1000)`;
  const output = execFileSync(process.execPath, ['-e', script], { env: { ...INITIAL_ENV, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  return Number(output.toString().trim());
}

const IMPORT_ROUNDS = 15;

/**
 * Every function of serverless.yml built as `osls package` builds it, against two baselines built
 * the same way: a middy + logger handler with the same AWS SDK clients (the fair floor), and a
 * bare middy + logger handler. Cold imports run interleaved in rounds, each in a fresh process;
 * ratios are taken within a round, then the median over rounds.
 */
async function bundleBench() {
  const { bundle, bundledFiles, functionEntries, packageOf } = await import('../setup/function-bundles.js');
  const out = mkdtempSync(join(tmpdir(), 'agentcore-identity-bench-'));
  const built = new Map<string, { file: string; kib: number; packages: string[] }>();
  const build = async (name: string, entry: string) => {
    const file = join(out, `${name.replace(/\W+/g, '-')}.js`);
    const packages = [...new Set(bundledFiles(await bundle(entry, file)).map(packageOf).filter((p): p is string => !!p))];
    built.set(name, { file, kib: statSync(file).size / 1024, packages });
  };
  const baseline = async (packages: string[]) => {
    const name = `baseline ${Object.keys(SDK_CLIENTS).filter((p) => packages.includes(p)).join(' ') || 'bare'}`;
    if (!built.has(name)) {
      const entry = join(out, `${name.replace(/\W+/g, '-')}.ts`);
      writeFileSync(entry, baselineSource(packages));
      await build(name, entry);
    }
    return name;
  };
  const bare = await baseline([]);
  const functions = Object.entries(functionEntries());
  const floors: Record<string, string> = {};
  for (const [name, entry] of functions) {
    await build(name, entry);
    floors[name] = await baseline(built.get(name)!.packages);
  }
  const times = new Map<string, number[]>([...built.keys()].map((name) => [name, []]));
  const order = [...built];
  for (let round = 0; round < IMPORT_ROUNDS; round++) {
    // Forward, then backward: a machine that slows down or speeds up during a round favours no one.
    for (const [name, { file }] of round % 2 ? [...order].reverse() : order) times.get(name)!.push(importCpuMs(file));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const ratio = (name: string, base: string) => median(times.get(name)!.map((t, round) => t / times.get(base)![round]!));
  return functions.map(([name]) => {
    const floor = floors[name]!;
    return {
      name,
      kib: built.get(name)!.kib,
      importMs: median(times.get(name)!),
      importRange: `${Math.min(...times.get(name)!).toFixed(1)}-${Math.max(...times.get(name)!).toFixed(1)}`,
      floorKib: built.get(floor)!.kib,
      floorMs: median(times.get(floor)!),
      floorClients: built.get(floor)!.packages.filter((p) => p in SDK_CLIENTS).map((p) => p.replace('@aws-sdk/', '')).join(', '),
      vsFloor: ratio(name, floor),
      vsBare: ratio(name, bare),
      bareMs: median(times.get(bare)!),
      bareKib: built.get(bare)!.kib,
    };
  });
}

/** The vending tables and the lines that judge them, from what vendingBench counted and measured. */
function vendingLines({ measured, memoryMb, logLevel, seconds }: Awaited<ReturnType<typeof vendingBench>>) {
  const naive = measured.find((m) => m.role === 'naive')!;
  const floor = measured.find((m) => m.role === 'floor')!;
  const secretsRead = measured.find((m) => m.label.includes('GetSecretValue'))!;
  const windowed = measured.find((m) => m.env?.VEND_CACHE_MILLISECONDS)!;
  const consistentReads = measured.find((m) => m.env?.VEND_CONSISTENT_READS)!;
  const ours = measured.filter((m) => m.role === 'ours');
  const per = (m: Measured, service: Service) => m.counts[service] / m.calls;
  const units = (m: Measured) => m.items.reduce((sum, item) => sum + item.units, 0);
  const tableName = (table: string) =>
    ({ [process.env.WORKLOAD_IDENTITIES_TABLE!]: 'workload', [process.env.CREDENTIAL_PROVIDERS_TABLE!]: 'provider', [process.env.TOKEN_VAULT_TABLE!]: 'vault binding' })[table] ?? table;
  const itemsRead = (m: Measured) => m.items.map((i) => `${tableName(i.table)} ${i.bytes} B ${i.consistent ? 'strong' : 'eventual'}: ${i.units}`).join(' + ');
  const ratios = (m: Measured, base: Measured) => m.p50s.map((p50, round) => p50 / base.p50s[round]!);
  const spread = (values: number[], digits: number, unit = '') => `${median(values).toFixed(digits)}${unit} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
  const lines: string[] = [];
  lines.push(`\nVending, warm: ${ROUNDS} interleaved rounds of ${CALLS} calls per path (after ${WARMUP} warm-up calls, and ${ROUND_WARMUP} more per round); handlers in process against the emulator, logging at ${logLevel}`);
  lines.push('Calls counted per vend by an SDK middleware on the clients the handlers use; read units computed from the sizes of the items one vend reads (DynamoDB item-size rules; a BatchGetItem bills each item on its own, rounded up to 4 KB)\n');
  lines.push('| path | DynamoDB requests | read units (items read: size, consistency, units) | Secrets Manager | KMS | log lines, bytes |');
  lines.push('|---|---|---|---|---|---|');
  for (const m of measured) {
    lines.push(`| ${m.label} | ${per(m, 'DynamoDB').toFixed(2)} | ${m.items.length ? `${units(m)} (${itemsRead(m)})` : '-'} | ${per(m, 'Secrets Manager').toFixed(3)}${m.counts['service keys'] ? ` (${m.counts['service keys']} service-key refresh)` : ''} | ${per(m, 'KMS').toFixed(2)} | ${(m.logLines / m.calls).toFixed(2)}, ${Math.round(m.logBytes / m.calls)} |`);
  }
  lines.push(`\nLatency: p50 of each round, min / median / max over rounds; ratios taken within a round (the same minute of a shared machine), median (min-max) over rounds\n`);
  lines.push('| path | p50 ms min / median / max | p99 ms (median) | p50 / naive handler | p50 / floor |');
  lines.push('|---|---|---|---|---|');
  for (const m of measured) {
    lines.push(`| ${m.label} | ${Math.min(...m.p50s).toFixed(2)} / ${median(m.p50s).toFixed(2)} / ${Math.max(...m.p50s).toFixed(2)} | ${median(m.p99s).toFixed(2)} | ${spread(ratios(m, naive), 2, 'x')} | ${spread(ratios(m, floor), 2, 'x')} |`);
  }
  const profile = (label: string, m: Measured, overrides: Partial<VendProfile> = {}): VendProfile => ({
    label,
    durationMs: Math.ceil(median(m.p50s)),
    memoryMb,
    readUnits: units(m),
    secretsManagerCalls: per(m, 'Secrets Manager'),
    kmsCalls: per(m, 'KMS'),
    logBytes: m.logBytes / m.calls,
    ...overrides,
  });
  const ourKey = measured.find((m) => m.label.endsWith('GetResourceApiKey (external)'))!;
  const ourUser = measured.find((m) => m.label.includes('USER_FEDERATION'))!;
  const pooledSecrets = ours.reduce((sum, m) => sum + m.counts['Secrets Manager'], 0) / ours.reduce((sum, m) => sum + m.calls, 0);
  const profiles = [
    profile('ours, API key', ourKey, { secretsManagerCalls: pooledSecrets }),
    profile('ours, USER_FEDERATION', ourUser, { secretsManagerCalls: pooledSecrets }),
    profile('naive, bench rate', naive),
    // Below one vend per 5 s per container, getSecret's cache has expired at every vend.
    profile('naive, < 1 vend/5 s/container', naive, { secretsManagerCalls: 1, durationMs: Math.ceil(median(naive.p50s) + median(secretsRead.p50s)) }),
  ];
  lines.push(`\nCost per million warm vends, us-east-1 list prices (API Gateway HTTP API first 300M tier; Lambda arm64 at serverless.yml's ${memoryMb} MB; DynamoDB on-demand read request units)`);
  lines.push('Duration assumption: the handler\'s in-process p50 against the emulator (median over rounds), rounded up to the billed millisecond; the last column adds one Secrets Manager read. Secrets Manager calls at this bench\'s rate, ours pooled over all our vends (the signing keys\' refresh belongs to no vend kind). Log bytes: what the handler wrote per vend (Lambda\'s own START/END/REPORT lines, the same for every handler, not included)\n');
  lines.push(...costTable(profiles));
  const total = (p: VendProfile) => costTable([p]).at(-1)!.match(/\*\*([\d.]+)\*\*/)![1]!;

  // The signing keys' periodic re-read is the container's, not a vend's: counted apart, and in the cost table spread over all our vends.
  const perVendSecrets = (m: Measured) => (m.counts['Secrets Manager'] - m.counts['service keys']) / m.calls;
  const callsMet = ours.every((m) => per(m, 'DynamoDB') === 1 && perVendSecrets(m) === 0 && per(m, 'KMS') === 0);
  const refreshes = measured.reduce((sum, m) => sum + m.counts['service keys'], 0);
  const targets: string[] = [];
  targets.push(`\nCalls per warm vend (0 Secrets Manager, 0 KMS, 1 DynamoDB request), default settings: ${callsMet ? 'met' : 'NOT met'} (${ours.map((m) => `${m.label.replace('ours: ', '')}: ${per(m, 'DynamoDB').toFixed(2)}/${perVendSecrets(m).toFixed(2)}/${per(m, 'KMS').toFixed(2)}`).join('; ')}); besides, a container re-reads the token-signing keys from Secrets Manager once per SECRET_CACHE_MAX_AGE_SECONDS (${process.env.SECRET_CACHE_MAX_AGE_SECONDS || 60} s), whichever vend comes then: ${refreshes} such read${refreshes === 1 ? '' : 's'} among the timed calls of these ${seconds.toFixed(0)} s`);
  const apiKeys = ours.filter((m) => m.label.includes('ApiKey'));
  const keyUnits = Math.max(...apiKeys.map(units));
  targets.push(
    `Read units per warm vend, computed: ${ours.map((m) => `${m.label.replace('ours: ', '')} ${units(m)}`).join(', ')}. API-key vends <= 1: ${keyUnits <= 1 ? 'met' : `NOT met (${keyUnits})`}: the one BatchGetItem reads the workload identity and the provider record eventually consistent, 0.5 each up to 4 KB (DynamoDB bills each item of a batch on its own); a read may miss a write of about the last second, so a rotation, an update or a deletion may reach vends that much later (a refusal is confirmed by a consistent read). With VEND_CONSISTENT_READS=true: ${units(consistentReads)} read units, and news at once`,
  );
  targets.push(`p50 against the real handler (middy + logger + getSecret + GetItem), ours ÷ its in the same round, above 1 is slower: ${ours.map((m) => `${m.label.replace('ours: ', '')} ${spread(ratios(m, naive), 2, 'x')}`).join('; ')}`);
  targets.push(`p50 against the floor (one raw DynamoDB GetItem in the same round, ${median(floor.p50s).toFixed(2)} ms), ours ÷ it: ${ours.map((m) => `${m.label.replace('ours: ', '')} ${spread(ratios(m, floor), 2, 'x')}`).join('; ')}`);
  targets.push(
    `Against the emulator a DynamoDB read costs what a Secrets Manager read costs (p50 ${median(floor.p50s).toFixed(2)} vs ${median(secretsRead.p50s).toFixed(2)} ms), so cost says more than latency: per million warm vends ours $${total(profiles[0]!)} (API key), naive $${total(profiles[2]!)} at this rate and $${total(profiles[3]!)} when getSecret's 5 s cache has expired`,
  );
  targets.push(`With a 1 s freshness window (rotations then reach a container up to 1 s late): p50 ${median(windowed.p50s).toFixed(2)} ms, ${spread(ratios(windowed, naive), 2, 'x')} the naive handler's, ${per(windowed, 'DynamoDB').toFixed(3)} DynamoDB requests per vend`);
  return { tables: lines, targets };
}

async function main() {
  const vend = await vendingBench();
  const bundles = await bundleBench();
  const vending = vendingLines(vend);
  console.log(vending.tables.join('\n'));
  console.log(`\nBundles as packaged (serverless.yml's esbuild settings) and cold import: CPU ms to require each in a fresh process, median of ${IMPORT_ROUNDS} interleaved rounds; ratios within a round, median over rounds`);
  console.log(`Baselines: a middy + Powertools logger handler calling the same AWS SDK clients (the floor), and a bare one (${bundles[0]!.bareKib.toFixed(1)} KiB, ${bundles[0]!.bareMs.toFixed(1)} ms)\n`);
  console.log('| function | size KiB | import ms (min-max) | same-clients baseline (clients: KiB, ms) | vs same clients | vs bare middy + logger |');
  console.log('|---|---|---|---|---|---|');
  for (const b of bundles) {
    console.log(`| ${b.name} | ${b.kib.toFixed(1)} | ${b.importMs.toFixed(1)} (${b.importRange}) | ${b.floorClients}: ${b.floorKib.toFixed(1)}, ${b.floorMs.toFixed(1)} | ${b.vsFloor.toFixed(2)}x | ${b.vsBare.toFixed(2)}x |`);
  }
  console.log(vending.targets.join('\n'));
}

/**
 * Benchmarks of their own (fuzz totals, pattern times, cache memory...), each in a fresh process:
 * each builds its own emulator and environment, and memory figures need a heap nobody else used.
 */
const SECTIONS: { file: string; exported: string; title: string }[] = [
  { file: 'patterns.ts', exported: 'benchPatterns', title: 'Model patterns (RegExp where provably linear, our linear matcher otherwise) (worst adversarial input at each field\'s maximum length)' },
  { file: 'fuzz.ts', exported: 'benchFuzz', title: 'Fuzz: seeded malformed requests over every operation, the callback and unknown paths' },
  { file: 'upstream.ts', exported: 'benchUpstream', title: 'Misbehaving authorization servers through the outbound client' },
  { file: 'm2m-cache.ts', exported: 'benchM2mCache', title: 'M2M token cache: heap after 10,000 vends with distinct scope sets' },
  { file: 'managed-writes.ts', exported: 'benchManagedWrites', title: 'Managed secret writes: calls per operation and 50 concurrent updates' },
  { file: 'faults.ts', exported: 'benchFaults', title: 'AWS faults: what a client gets, and after how long' },
  { file: 'authorization.ts', exported: 'benchAuthorization', title: 'Authorization (iam-policies): IAM calls per vend, cold and warm, and the p50 it adds' },
  { file: 'private-key-jwt.ts', exported: 'benchPrivateKeyJwt', title: 'Private key JWT client assertions: size, build time, KMS Sign on the emulator' },
  { file: 'user-connections.ts', exported: 'benchUserConnections', title: 'ListUserConnections (extension): store calls for one page of 20, by how many bindings the user has' },
];

function sections() {
  for (const section of SECTIONS) {
    const script = `import(${JSON.stringify(join(ROOT, 'test', 'bench', section.file))}).then((m) => (m[${JSON.stringify(section.exported)}] ?? m.default[${JSON.stringify(section.exported)}])()).then((lines) => console.log(lines.join('\\n')))`;
    console.log(`\n${section.title}\n`);
    const output = execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['--expose-gc', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...INITIAL_ENV, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'ERROR' },
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    process.stdout.write(output);
  }
}

main()
  .then(sections)
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
