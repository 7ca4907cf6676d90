/**
 * What a client sees during an AWS outage: for each condition, the status each operation answers
 * with and after how long, measured on in-process handlers (the service's real SDK clients, a
 * 15 s Lambda context running down) against an emulator of this bench's own. Throttling and 5xx
 * are injected by an SDK middleware on every call; a stall is the emulator paused (SIGSTOP); an
 * outage is the emulator killed. The table is the result; nothing here asserts a time.
 */
import type { Context } from 'aws-lambda';
import { startEmulator } from '../../infra/local/emulator.js';
import { apiEvent, lambdaContext } from '../setup/lambda-events.js';
import { ROOT, useBenchEnvironment } from './environment.js';

const FUNCTION_TIMEOUT_MS = 15_000;

export async function benchFaults(): Promise<string[]> {
  const emulator = await startEmulator();
  let paused = false;
  try {
    await useBenchEnvironment(emulator, 'bench', { POWERTOOLS_LOG_LEVEL: 'CRITICAL' });
    const clients = await import('../../lib/aws/clients.js');
    let fault: { status: number; type: string } | undefined;
    const attempts = { count: 0 };
    for (const [client, json] of [
      [clients.dynamoDocumentClient(), '1.0'],
      [clients.secretsManagerClient(), '1.1'],
      [clients.kmsClient(), '1.1'],
    ] as const) {
      (client.middlewareStack as { add: Function }).add(
        (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
          attempts.count++;
          if (!fault) return next(args);
          const body = Buffer.from(JSON.stringify({ __type: fault.type, message: 'injected' }));
          return { response: { statusCode: fault.status, headers: { 'content-type': `application/x-amz-json-${json}` }, body } };
        },
        { step: 'deserialize', priority: 'low', name: 'benchFault' },
      );
    }
    const control = (await import('../../functions/control-plane.js')).handler;
    const dataPlane = (await import('../../functions/data-plane.js')).handler;
    const where = { region: 'us-east-1', accountId: '123456789012' };
    const context = (): Context => {
      const end = Date.now() + FUNCTION_TIMEOUT_MS;
      return { ...lambdaContext(where), getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
    };
    const call = async (handler: typeof control, path: string, body: unknown) => {
      const started = Date.now();
      const result = await handler(apiEvent(path, body) as never, context());
      const type = result.headers?.['x-amzn-errortype'];
      return { status: `${result.statusCode}${type ? ` ${type}` : ''}`, ms: Date.now() - started };
    };
    await call(control, '/identities/CreateWorkloadIdentity', { name: 'bench-agent' });
    const wat = JSON.parse((await dataPlane(apiEvent('/identities/GetWorkloadAccessToken', { workloadName: 'bench-agent' }) as never, context())).body!).workloadAccessToken;
    await call(control, '/identities/CreateApiKeyCredentialProvider', { name: 'bench-key', apiKey: 'bench-value-1' });
    let created = 0;
    let updated = 0;
    const operations: [string, () => ReturnType<typeof call>][] = [
      ['GetResourceApiKey (warm)', () => call(dataPlane, '/identities/api-key', { workloadIdentityToken: wat, resourceCredentialProviderName: 'bench-key' })],
      ['GetWorkloadAccessToken', () => call(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName: 'bench-agent' })],
      ['CreateApiKeyCredentialProvider', () => call(control, '/identities/CreateApiKeyCredentialProvider', { name: `bench-new-${created++}`, apiKey: 'bench-value' })],
      ['UpdateApiKeyCredentialProvider', () => call(control, '/identities/UpdateApiKeyCredentialProvider', { name: 'bench-key', apiKey: `bench-value-${++updated}` })],
    ];
    await Promise.all(operations.map(([, run]) => run())); // warm every path once

    const rows: string[] = [];
    const row = (condition: string, operation: string, r: { status: string; ms: number }, sdkAttempts = '-') =>
      rows.push(`| ${condition} | ${operation} | ${r.status} | ${r.ms} | ${sdkAttempts} |`);
    const each = async (condition: string, concurrently = false) => {
      if (concurrently) {
        const results = await Promise.all(operations.map(([, run]) => run()));
        results.forEach((r, i) => row(condition, operations[i]![0], r));
        return;
      }
      for (const [name, run] of operations) {
        attempts.count = 0;
        const r = await run();
        row(condition, name, r, String(attempts.count));
      }
    };

    await each('healthy');
    fault = { status: 400, type: 'ThrottlingException' };
    await each('throttled (every call)');
    fault = { status: 500, type: 'InternalServerError' };
    await each('5xx (every call)');
    fault = undefined;

    process.kill(emulator.pid, 'SIGSTOP');
    paused = true;
    await each('stalled (emulator paused)', true);
    process.kill(emulator.pid, 'SIGCONT');
    paused = false;
    const resumed = Date.now();
    let first: { status: string; ms: number } | undefined;
    while (!first || !first.status.startsWith('200')) first = await operations[0]![1]();
    const recovery = Date.now() - resumed;

    await emulator.stop();
    await each('down (emulator killed: connection refused)', true);

    return [
      `Per-attempt timeouts: connection 1 s, answer 2.5 s; 3 attempts; AWS calls stop 1 s and the handler answers 0.5 s before the ${FUNCTION_TIMEOUT_MS / 1000} s function timeout.`,
      '',
      '| AWS condition | operation | status (x-amzn-errortype) | answered after ms | AWS attempts (all calls) |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      `After SIGCONT the next vend succeeded after ${recovery} ms (no restart).`,
    ];
  } finally {
    if (paused) process.kill(emulator.pid, 'SIGCONT');
    await emulator.stop();
  }
}
