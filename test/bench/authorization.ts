/**
 * What authorization (AUTHORIZATION=iam-policies) costs a vend: IAM calls per vend, cold (first
 * vend of a principal in a container) and warm (within the policy cache's 60 s: none), and the
 * p50 latency it adds to a warm GetResourceApiKey, against route-only, handlers in process on a
 * bench emulator of its own. The vend's principal is the sample events' role (PlatformAdmin),
 * allowed `bedrock-agentcore:*` (test/bench/environment.ts).
 *
 * `npx tsx test/bench/authorization.ts` prints the table alone; run.ts calls benchAuthorization().
 */
import { startEmulator } from '../../infra/local/emulator.js';
import { apiEvent, lambdaContext } from '../setup/lambda-events.js';
import { useBenchEnvironment } from './environment.js';

const VENDS = Number(process.env.BENCH_AUTHORIZATION_VENDS ?? 300);

type Handler = (event: never, context: never) => Promise<unknown>;

function p50(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const STEPS = 2_000;

/** p50 of the edge's authorization of a vend alone (lib/http/authorization.ts), with the container's caches warm. */
async function authorizationStep(workloadIdentityToken: string, where: { region: string; accountId: string }): Promise<number> {
  process.env.AUTHORIZATION = 'iam-policies';
  const { callerSettings } = await import('../../lib/wiring.js');
  const { authorizeCall } = await import('../../lib/http/authorization.js');
  const auth = callerSettings().authorization!;
  const caller = { requestId: 'bench', partition: 'aws', ...where, publicBaseUrl: 'http://127.0.0.1' };
  const input = { workloadIdentityToken, resourceCredentialProviderName: 'bench-key' };
  const samples: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const started = process.hrtime.bigint();
    await authorizeCall('GetResourceApiKey', input, apiEvent('/identities/api-key', input) as never, caller, auth);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return p50(samples);
}

export async function benchAuthorization(): Promise<string[]> {
  const emulator = await startEmulator();
  try {
    await useBenchEnvironment(emulator, 'bench-authz', { AUTHORIZATION: 'iam-policies' });
    const clients = await import('../../lib/aws/clients.js');
    let iamCalls = 0;
    clients.iamClient().middlewareStack.add(
      (next) => (args) => {
        iamCalls += 1;
        return next(args);
      },
      { step: 'initialize', name: 'benchIamCallCounter' },
    );
    const control = (await import('../../functions/control-plane.js')).handler as Handler;
    const dataPlane = (await import('../../functions/data-plane.js')).handler as Handler;
    const where = { region: 'us-east-1', accountId: '123456789012' };
    const call = async (handler: Handler, path: string, body: unknown) => {
      const result = (await handler(apiEvent(path, body) as never, lambdaContext(where) as never)) as { statusCode?: number; body?: string };
      if ((result.statusCode ?? 500) >= 300) throw new Error(`${path}: ${result.statusCode} ${result.body}`);
      return result.body ? JSON.parse(result.body) : undefined;
    };
    await call(control, '/identities/CreateWorkloadIdentity', { name: 'bench-agent' });
    await call(control, '/identities/CreateApiKeyCredentialProvider', { name: 'bench-key', apiKey: 'bench-key-value' });
    const { workloadAccessToken } = await call(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName: 'bench-agent' });
    const vend = () => call(dataPlane, '/identities/api-key', { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: 'bench-key' });
    // The control-plane calls above warmed the cache for this role: the first vend is as warm as any.
    const coldCalls = iamCalls;
    const timed = { 'iam-policies': [] as number[], 'route-only': [] as number[] };
    const warmBefore = iamCalls;
    // Interleaved, so that the emulator's drift falls on both modes alike.
    for (let i = 0; i < VENDS; i++) {
      for (const mode of ['iam-policies', 'route-only'] as const) {
        process.env.AUTHORIZATION = mode;
        const started = process.hrtime.bigint();
        await vend();
        timed[mode].push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }
    const warmCalls = (iamCalls - warmBefore) / VENDS;
    const beforeStep = iamCalls;
    const step = await authorizationStep(workloadAccessToken as string, where);
    const stepCalls = (iamCalls - beforeStep) / STEPS;
    const [withAuth, without] = [p50(timed['iam-policies']), p50(timed['route-only'])];
    return [
      `Authorization cost per vend (GetResourceApiKey, ${VENDS} warm vends per mode, in process against moto)`,
      '',
      '| | IAM calls | p50 ms |',
      '|---|---|---|',
      `| first call of a principal in a container (role: 1 inline policy, no attached) | ${coldCalls} | |`,
      `| warm vend, iam-policies | ${warmCalls} | ${withAuth.toFixed(2)} |`,
      `| warm vend, route-only | 0 | ${without.toFixed(2)} |`,
      `| the authorization step alone, warm (${STEPS} calls) | ${stepCalls} | ${step.toFixed(3)} |`,
      '',
      `p50 added by authorization on the warm path: ${(withAuth - without).toFixed(2)} ms end to end (noisy: two p50s of emulator-bound vends), ${step.toFixed(3)} ms measured alone (the WAT verified once more, policies from the container's cache, one evaluation).`,
    ];
  } finally {
    await emulator.stop();
  }
}

if (require.main === module) {
  benchAuthorization().then((lines) => console.log(lines.join('\n')));
}
