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
import { build } from 'esbuild';
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

async function bundleBench() {
  const out = mkdtempSync(join(tmpdir(), 'agentcore-identity-bench-'));
  const baseline = join(out, 'baseline.ts');
  writeFileSync(
    baseline,
    `import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
const logger = new Logger();
export const handler = middy().use(injectLambdaContext(logger)).handler(async () => ({ statusCode: 200 }));
`,
  );
  const entries: Record<string, string> = {
    'bare middy + logger (baseline)': baseline,
    controlPlane: join(ROOT, 'functions/control-plane.ts'),
    dataPlane: join(ROOT, 'functions/data-plane.ts'),
    oauth2Callback: join(ROOT, 'functions/oauth2-callback.ts'),
    secretRotation: join(ROOT, 'functions/secret-rotation.ts'),
  };
  const rows = [];
  for (const [name, entry] of Object.entries(entries)) {
    const outfile = join(out, `${name.replace(/\W+/g, '-')}.js`);
    // The same settings as serverless.yml's esbuild section.
    await build({ entryPoints: [entry], outfile, bundle: true, minify: true, platform: 'node', target: 'node20', format: 'cjs', nodePaths: [join(ROOT, 'node_modules')], logLevel: 'error' });
    const imports: number[] = [];
    for (let i = 0; i < 7; i++) {
      const ms = execFileSync(process.execPath, ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});console.log(Number(process.hrtime.bigint()-t)/1e6)`], {
        env: { ...process.env, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      imports.push(Number(ms.toString().trim()));
    }
    imports.sort((a, b) => a - b);
    rows.push({ name, kib: statSync(outfile).size / 1024, importMs: imports[3]! });
  }
  return rows;
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
  const base = bundles[0]!;
  console.log('\nBundles (minified, as packaged) and cold import time (median of 7 fresh processes)\n');
  console.log('| function | size KiB | import ms | vs baseline |');
  console.log('|---|---|---|---|');
  for (const b of bundles) console.log(`| ${b.name} | ${b.kib.toFixed(1)} | ${b.importMs.toFixed(1)} | +${(b.importMs - base.importMs).toFixed(1)} ms |`);
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
