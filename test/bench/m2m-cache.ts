/**
 * Memory of the M2M token cache under caller-chosen keys: 10,000 M2M vends, each with its own
 * scope set and a 1 KiB audience, against a loopback token endpoint that hands out 1 KiB tokens.
 * Runs in a child process (its own heap, `--expose-gc`, its own emulator), with the registry
 * lookups cached (VEND_CACHE_MILLISECONDS) so that only the vending path itself runs per call.
 * The figure: heap after a full GC at each checkpoint, against the first checkpoint after the
 * cache has filled; flat means within 10%.
 *
 * `npx tsx test/bench/m2m-cache.ts` prints the table alone; run.ts calls benchM2mCache().
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { loopbackOauth2Provider, ROOT, useBenchEnvironment } from './environment.js';

const VENDS = Number(process.env.BENCH_M2M_VENDS ?? 10_000);
const CHECKPOINT = 1_000;

interface Sample {
  vends: number;
  heapMiB: number;
  rssMiB: number;
}

export async function benchM2mCache(): Promise<string[]> {
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--child'], {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  }).toString();
  const line = output.split('\n').find((l) => l.startsWith('M2M-CACHE-RESULT '));
  if (!line) throw new Error(`the M2M cache bench printed no result:\n${output.slice(-2000)}`);
  const { samples, seconds } = JSON.parse(line.slice('M2M-CACHE-RESULT '.length)) as { samples: Sample[]; seconds: number };
  const reference = samples.find((s) => s.vends >= 2 * CHECKPOINT) ?? samples[0]!;
  const last = samples[samples.length - 1]!;
  const growth = (last.heapMiB - reference.heapMiB) / reference.heapMiB;
  return [
    `M2M token cache: ${last.vends} vends with distinct scope sets (1 KiB audience, 1 KiB token each) in ${seconds.toFixed(1)} s; heap after full GC`,
    '',
    '| vends | heap MiB | RSS MiB |',
    '|---|---|---|',
    ...samples.map((s) => `| ${s.vends} | ${s.heapMiB.toFixed(1)} | ${s.rssMiB.toFixed(1)} |`),
    '',
    `Heap from ${reference.vends} to ${last.vends} vends: ${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}% (target: within 10%): ${Math.abs(growth) <= 0.1 ? 'met' : 'NOT met'}`,
  ];
}

async function child() {
  const { startEmulator } = await import('../../infra/local/emulator.js');
  const { createResources, resolveServiceConfig } = await import('../../infra/local/resources.js');
  const { apiEvent, lambdaContext } = await import('../setup/lambda-events.js');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const emulator = await startEmulator();
  const filler = 'x'.repeat(1_000);
  let issued = 0;
  const tokenServer = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      issued += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ access_token: `m2m-${issued}-${filler}`, token_type: 'Bearer', expires_in: 3600 }));
    });
  });
  await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(tokenServer.address() as { port: number }).port}`;
  try {
    await useBenchEnvironment(emulator, 'benchm2m', { ALLOW_LOOPBACK_ENDPOINTS: 'true', VEND_CACHE_MILLISECONDS: '600000' });
    const control = (await import('../../functions/control-plane.js')).handler;
    const dataPlane = (await import('../../functions/data-plane.js')).handler;
    const where = { region: 'us-east-1', accountId: '123456789012' };
    const call = async (handler: typeof control, path: string, body: unknown) => {
      const result = await handler(apiEvent(path, body) as never, lambdaContext(where));
      if ((result.statusCode ?? 500) >= 300) throw new Error(`${path}: ${result.statusCode} ${result.body}`);
      return result.body ? JSON.parse(result.body) : undefined;
    };
    await call(control, '/identities/CreateWorkloadIdentity', { name: 'm2m-agent' });
    await call(control, '/identities/CreateOauth2CredentialProvider', loopbackOauth2Provider('m2m-bench', base));
    const { workloadAccessToken } = await call(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName: 'm2m-agent' });
    const samples: Sample[] = [];
    const started = Date.now();
    for (let i = 1; i <= VENDS; i++) {
      await call(dataPlane, '/identities/oauth2/token', {
        workloadIdentityToken: workloadAccessToken,
        resourceCredentialProviderName: 'm2m-bench',
        scopes: ['read', `scope-${i}`],
        audiences: [`https://api.example.test/${i}/${filler}`],
        oauth2Flow: 'M2M',
      });
      if (i % CHECKPOINT === 0) {
        gc();
        gc();
        const memory = process.memoryUsage();
        samples.push({ vends: i, heapMiB: memory.heapUsed / 2 ** 20, rssMiB: memory.rss / 2 ** 20 });
      }
    }
    if (issued < VENDS) throw new Error(`only ${issued} token requests for ${VENDS} distinct vends`);
    console.log(`M2M-CACHE-RESULT ${JSON.stringify({ samples, seconds: (Date.now() - started) / 1000 })}`);
  } finally {
    await new Promise((r) => tokenServer.close(r));
    await emulator.stop();
  }
}

if (process.argv.includes('--child')) {
  child().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
} else if (require.main === module) {
  benchM2mCache().then((lines) => console.log(lines.join('\n')));
}
