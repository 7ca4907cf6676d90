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
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startEmulator } from '../../infra/local/emulator.js';
import { apiEvent, lambdaContext } from '../setup/lambda-events.js';
import { ROOT, useBenchEnvironment } from './environment.js';

/** The environment before the vending bench pointed it at its own (by then stopped) emulator. */
const INITIAL_ENV = { ...process.env };
const WARMUP = 20;
const CALLS = Number(process.env.BENCH_CALLS ?? 300);

type Counts = Record<string, number>;
const counts: Counts = {};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(label: string, call: () => Promise<void>) {
  for (let i = 0; i < WARMUP; i++) await call();
  for (const key of Object.keys(counts)) delete counts[key];
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = process.hrtime.bigint();
    await call();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  const per = (service: string) => (counts[service] ?? 0) / CALLS;
  return { label, dynamodb: per('DynamoDB'), secretsManager: per('Secrets Manager'), kms: per('KMS'), p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function vendingBench() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const emulator = await startEmulator();
  try {
    await useBenchEnvironment(emulator, 'bench', { POWERTOOLS_LOG_LEVEL: 'WARN', ALLOW_LOOPBACK_ENDPOINTS: 'true' });
    const clients = await import('../../lib/aws/clients.js');
    for (const client of [clients.dynamoDocumentClient(), clients.secretsManagerClient(), clients.kmsClient()]) {
      (client.middlewareStack as { add: Function }).add(
        (next: (args: unknown) => Promise<unknown>, context: { clientName?: string }) => async (args: unknown) => {
          const service = context.clientName?.replace(/Client$/, '') ?? 'unknown';
          const name = { DynamoDB: 'DynamoDB', SecretsManager: 'Secrets Manager', KMS: 'KMS' }[service] ?? service;
          counts[name] = (counts[name] ?? 0) + 1;
          return next(args);
        },
        { step: 'initialize', name: 'benchCallCounter' },
      );
    }
    const control = (await import('../../functions/control-plane.js')).handler;
    const dataPlane = (await import('../../functions/data-plane.js')).handler;
    const where = { region: 'us-east-1', accountId: '123456789012' };
    const call = async (handler: typeof control, path: string, body: unknown) => {
      const result = await handler(apiEvent(path, body) as never, lambdaContext(where));
      if ((result.statusCode ?? 500) >= 300) throw new Error(`${path}: ${result.statusCode} ${result.body}`);
      return result.body ? JSON.parse(result.body) : undefined;
    };

    await call(control, '/identities/CreateWorkloadIdentity', { name: 'bench-agent' });
    const sm = clients.secretsManagerClient();
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'bench/external', SecretString: JSON.stringify({ key: 'bench-external-value' }) }));
    await call(control, '/identities/CreateApiKeyCredentialProvider', { name: 'bench-managed', apiKey: 'bench-managed-value' });
    await call(control, '/identities/CreateApiKeyCredentialProvider', { name: 'bench-external', apiKeySecretSource: 'EXTERNAL', apiKeySecretConfig: { secretId: ARN, jsonKey: 'key' } });
    const { workloadAccessToken } = await call(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName: 'bench-agent' });

    const rows = [];
    for (const provider of ['bench-managed', 'bench-external']) {
      rows.push(
        await measure(`warm GetResourceApiKey (${provider.replace('bench-', '')})`, async () => {
          await call(dataPlane, '/identities/api-key', { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: provider });
        }),
      );
    }
    // The same vend with the optional freshness window: the registry is read once a second at most.
    process.env.VEND_CACHE_MILLISECONDS = '1000';
    rows.push(
      await measure('warm GetResourceApiKey (external), VEND_CACHE_MILLISECONDS=1000', async () => {
        await call(dataPlane, '/identities/api-key', { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: 'bench-external' });
      }),
    );
    delete process.env.VEND_CACHE_MILLISECONDS;
    rows.push(...(await oauth2Rows(call, control, dataPlane, workloadAccessToken)));
    const ddb = clients.dynamoDocumentClient();
    const table = process.env.CREDENTIAL_PROVIDERS_TABLE!;
    rows.push(
      await measure('naive: GetItem + GetSecretValue per call', async () => {
        const { Item } = await ddb.send(new GetCommand({ TableName: table, Key: { kind: 'apikey', name: 'bench-external' } }));
        const { SecretString } = await sm.send(new GetSecretValueCommand({ SecretId: Item!.secretArn }));
        JSON.parse(SecretString!);
      }),
    );
    // What one emulator round trip costs, for reading the ratios above.
    rows.push(
      await measure('one emulator round trip: DynamoDB GetItem', async () => {
        await ddb.send(new GetCommand({ TableName: table, Key: { kind: 'apikey', name: 'bench-external' } }));
      }),
    );
    rows.push(
      await measure('one emulator round trip: Secrets Manager GetSecretValue', async () => {
        await sm.send(new GetSecretValueCommand({ SecretId: ARN! }));
      }),
    );
    return rows;
  } finally {
    await emulator.stop();
  }
}

/**
 * Warm OAuth2 vends: M2M against a loopback token endpoint (the token is cached after the first
 * call), and USER_FEDERATION with a binding already in the vault (written here through the same
 * vault code, so the handler's first read decrypts its data key once, during warm-up).
 */
async function oauth2Rows(call: (handler: any, path: string, body: unknown) => Promise<any>, control: unknown, dataPlane: unknown, workloadAccessToken: string) {
  const { createServer } = await import('node:http');
  const tokenServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ access_token: `m2m-${Math.random().toString(36).slice(2)}`, token_type: 'Bearer', expires_in: 3600 }));
  });
  await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(tokenServer.address() as { port: number }).port}`;
  try {
    await call(control, '/identities/CreateOauth2CredentialProvider', {
      name: 'bench-oauth',
      credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: {
        customOauth2ProviderConfig: {
          clientId: 'bench-client',
          clientSecret: 'bench-client-secret',
          oauthDiscovery: { authorizationServerMetadata: { issuer: base, authorizationEndpoint: `${base}/authorize`, tokenEndpoint: `${base}/token` } },
        },
      },
    });
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
    return [
      await measure('warm GetResourceOauth2Token (M2M)', async () => {
        await call(dataPlane, '/identities/oauth2/token', { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: 'bench-oauth', scopes: ['read'], oauth2Flow: 'M2M' });
      }),
      await measure('warm GetResourceOauth2Token (USER_FEDERATION)', async () => {
        const result = await call(dataPlane, '/identities/oauth2/token', { workloadIdentityToken: userWat, resourceCredentialProviderName: 'bench-oauth', scopes: ['read'], oauth2Flow: 'USER_FEDERATION' });
        if (result.accessToken !== 'bench-user-token') throw new Error('the vault did not answer');
      }),
    ];
  } finally {
    await new Promise((r) => tokenServer.close(r));
  }
}

/** The AWS SDK packages a same-clients baseline imports when a function's bundle holds them. */
const SDK_CLIENTS: Record<string, { imports: string; client: string }> = {
  '@aws-sdk/client-dynamodb': { imports: "import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';", client: 'new DynamoDBClient({}).send(new GetItemCommand({ TableName: "t", Key: {} }))' },
  '@aws-sdk/lib-dynamodb': { imports: "import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';", client: 'DynamoDBDocumentClient.from(new DynamoDBClient({})).send(new GetCommand({ TableName: "t", Key: {} }))' },
  '@aws-sdk/client-secrets-manager': { imports: "import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';", client: 'new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: "s" }))' },
  '@aws-sdk/client-kms': { imports: "import { KMSClient, DecryptCommand } from '@aws-sdk/client-kms';", client: 'new KMSClient({}).send(new DecryptCommand({ CiphertextBlob: new Uint8Array() }))' },
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

async function main() {
  const vend = await vendingBench();
  const bundles = await bundleBench();
  const naive = vend.find((r) => r.label.startsWith('naive'))!;
  const warm = vend.filter((r) => r.label.startsWith('warm') && !r.label.includes('VEND_CACHE'));
  const windowed = vend.find((r) => r.label.includes('VEND_CACHE'))!;
  console.log(`\nVending, ${CALLS} calls after ${WARMUP} warm-up calls (calls per vend; latency of in-process handler calls)\n`);
  console.log('| path | DynamoDB | Secrets Manager | KMS | p50 ms | p99 ms | p50 vs naive |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of vend) {
    console.log(`| ${r.label} | ${r.dynamodb.toFixed(2)} | ${r.secretsManager.toFixed(2)} | ${r.kms.toFixed(2)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(naive.p50 / r.p50).toFixed(1)}x |`);
  }
  console.log(`\nBundles as packaged (serverless.yml's esbuild settings) and cold import: CPU ms to require each in a fresh process, median of ${IMPORT_ROUNDS} interleaved rounds; ratios within a round, median over rounds`);
  console.log(`Baselines: a middy + Powertools logger handler calling the same AWS SDK clients (the floor), and a bare one (${bundles[0]!.bareKib.toFixed(1)} KiB, ${bundles[0]!.bareMs.toFixed(1)} ms)\n`);
  console.log('| function | size KiB | import ms (min-max) | same-clients baseline (clients: KiB, ms) | vs same clients | vs bare middy + logger |');
  console.log('|---|---|---|---|---|---|');
  for (const b of bundles) {
    console.log(`| ${b.name} | ${b.kib.toFixed(1)} | ${b.importMs.toFixed(1)} (${b.importRange}) | ${b.floorClients}: ${b.floorKib.toFixed(1)}, ${b.floorMs.toFixed(1)} | ${b.vsFloor.toFixed(2)}x | ${b.vsBare.toFixed(2)}x |`);
  }
  const calls = warm.every((r) => r.secretsManager === 0 && r.kms === 0 && r.dynamodb <= 1);
  const speed = Math.min(...warm.map((r) => naive.p50 / r.p50));
  console.log(`\nCall targets (0 Secrets Manager, 0 KMS, <= 1 DynamoDB per warm vend): ${calls ? 'met' : 'NOT met'}`);
  console.log(`Speed target (>= 10x the naive path's p50), default settings: ${speed >= 10 ? 'met' : 'NOT met'} (${speed.toFixed(1)}x)`);
  console.log(`Speed with a 1 s freshness window (rotations then reach a container up to 1 s late): ${(naive.p50 / windowed.p50).toFixed(1)}x`);
}

/**
 * Benchmarks of their own (fuzz totals, pattern times, cache memory...), each in a fresh process:
 * each builds its own emulator and environment, and memory figures need a heap nobody else used.
 */
const SECTIONS: { file: string; exported: string; title: string }[] = [
  { file: 'patterns.ts', exported: 'benchPatterns', title: 'Model patterns through the linear-time engine (worst adversarial input at each field\'s maximum length)' },
  { file: 'fuzz.ts', exported: 'benchFuzz', title: 'Fuzz: seeded malformed requests over every operation, the callback and unknown paths' },
  { file: 'upstream.ts', exported: 'benchUpstream', title: 'Misbehaving authorization servers through the outbound client' },
  { file: 'm2m-cache.ts', exported: 'benchM2mCache', title: 'M2M token cache: heap after 10,000 vends with distinct scope sets' },
  { file: 'managed-writes.ts', exported: 'benchManagedWrites', title: 'Managed secret writes: calls per operation and 50 concurrent updates' },
  { file: 'faults.ts', exported: 'benchFaults', title: 'AWS faults: what a client gets, and after how long' },
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
