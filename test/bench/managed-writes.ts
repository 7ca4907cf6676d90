/**
 * What writes of MANAGED providers cost now that they cannot tear: AWS calls per create, update
 * and delete, what 50 concurrent updates of one provider give (winners, conflicts, whether a
 * refused value was ever vended), and what the sweep spends per secret. In process, against an
 * emulator of its own; counts come from a middleware on the clients the handlers use.
 */
import { startEmulator } from '../../infra/local/emulator.js';
import { apiEvent, lambdaContext } from '../setup/lambda-events.js';
import { ROOT, useBenchEnvironment } from './environment.js';

const WRITERS = 50;
const ROUNDS = 5;
const SWEPT = 100;

export async function benchManagedWrites(): Promise<string[]> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const emulator = await startEmulator();
  try {
    await useBenchEnvironment(emulator, 'bench');
    const clients = await import('../../lib/aws/clients.js');
    const counts: Record<string, number> = {};
    for (const client of [clients.dynamoDocumentClient(), clients.secretsManagerClient()]) {
      (client.middlewareStack as { add: Function }).add(
        (next: (args: unknown) => Promise<unknown>, context: { clientName?: string }) => async (args: unknown) => {
          const service = context.clientName === 'SecretsManagerClient' ? 'sm' : 'ddb';
          counts[service] = (counts[service] ?? 0) + 1;
          return next(args);
        },
        { step: 'initialize', name: 'benchCallCounter' },
      );
    }
    const control = (await import('../../functions/control-plane.js')).handler;
    const dataPlane = (await import('../../functions/data-plane.js')).handler;
    const { SecretsManagerSecretStore } = await import('../../lib/secrets/secrets-manager-store.js');
    const { DynamoDbCredentialProviderStore } = await import('../../lib/credential-providers/dynamodb-store.js');
    const { managedSecretSweep } = await import('../../lib/credential-providers/managed-secret-sweep.js');
    const where = { region: 'us-east-1', accountId: '123456789012' };
    const call = async (handler: typeof control, path: string, body: unknown) => {
      const result = await handler(apiEvent(path, body) as never, lambdaContext(where));
      return { status: result.statusCode ?? 500, body: result.body ? JSON.parse(result.body) : undefined };
    };
    const counted = async (work: () => Promise<unknown>) => {
      for (const key of Object.keys(counts)) delete counts[key];
      await work();
      return `${counts.ddb ?? 0} | ${counts.sm ?? 0}`;
    };

    const lines = ['| operation (MANAGED API key) | DynamoDB calls | Secrets Manager calls |', '|---|---|---|'];
    lines.push(`| create | ${await counted(() => call(control, '/identities/CreateApiKeyCredentialProvider', { name: 'bench-calls', apiKey: 'v0' }))} |`);
    lines.push(`| update (uncontended) | ${await counted(() => call(control, '/identities/UpdateApiKeyCredentialProvider', { name: 'bench-calls', apiKey: 'v1' }))} |`);
    lines.push(`| delete | ${await counted(() => call(control, '/identities/DeleteApiKeyCredentialProvider', { name: 'bench-calls' }))} |`);

    await call(control, '/identities/CreateWorkloadIdentity', { name: 'bench-agent' });
    const { workloadAccessToken } = (await call(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName: 'bench-agent' })).body;
    await call(control, '/identities/CreateApiKeyCredentialProvider', { name: 'bench-contended', apiKey: 'round-0' });
    const vend = async () => (await call(dataPlane, '/identities/api-key', { workloadIdentityToken: workloadAccessToken, resourceCredentialProviderName: 'bench-contended' })).body.apiKey as string;
    let won = 0;
    let refused = 0;
    let other = 0;
    let refusedVended = 0;
    let vends = 0;
    let lastMismatch = 0;
    const times: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const values = Array.from({ length: WRITERS }, (_, i) => `round-${round}-${i}`);
      let writing = true;
      const seen: string[] = [];
      const vending = (async () => {
        while (writing) seen.push(await vend());
      })();
      const outcomes = await Promise.all(
        values.map(async (apiKey) => {
          const started = process.hrtime.bigint();
          const result = await call(control, '/identities/UpdateApiKeyCredentialProvider', { name: 'bench-contended', apiKey });
          times.push(Number(process.hrtime.bigint() - started) / 1e6);
          return result.status;
        }),
      );
      writing = false;
      await vending;
      const lost = new Set(values.filter((_, i) => outcomes[i] === 409));
      won += outcomes.filter((s) => s === 200).length;
      refused += lost.size;
      other += outcomes.filter((s) => s !== 200 && s !== 409).length;
      vends += seen.length;
      refusedVended += seen.filter((v) => lost.has(v)).length;
      const final = await vend();
      if (lost.has(final) || !values.includes(final)) lastMismatch++;
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!.toFixed(0);
    lines.push('', `${WRITERS} concurrent updates of one provider, ${ROUNDS} rounds (in process, one container)`, '');
    lines.push('| committed | ConflictException | other errors | vends during the rounds | refused values vended | final vend not a winner | update p50 ms | update p99 ms |');
    lines.push('|---|---|---|---|---|---|---|---|');
    lines.push(`| ${won} | ${refused} | ${other} | ${vends} | ${refusedVended} | ${lastMismatch} | ${pct(50)} | ${pct(99)} |`);

    for (let i = 0; i < SWEPT; i++) await call(control, '/identities/CreateApiKeyCredentialProvider', { name: `bench-swept-${i}`, apiKey: 'x' });
    const sweep = managedSecretSweep({
      secrets: new SecretsManagerSecretStore(clients.secretsManagerClient(), process.env.SERVICE_KMS_KEY_ID!),
      providers: new DynamoDbCredentialProviderStore(clients.dynamoDocumentClient(), process.env.CREDENTIAL_PROVIDERS_TABLE!),
      settings: { managedSecretPrefix: process.env.MANAGED_SECRET_PREFIX!, minAgeMs: 3_600_000, recoveryWindowDays: 7 },
    });
    for (const key of Object.keys(counts)) delete counts[key];
    const started = process.hrtime.bigint();
    const result = await sweep();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    lines.push('', `Sweep over ${result.examined} managed secrets, all named by records (in process)`, '');
    lines.push('| DynamoDB calls per secret | Secrets Manager calls per secret | ms per secret |', '|---|---|---|');
    lines.push(`| ${((counts.ddb ?? 0) / result.examined).toFixed(2)} | ${((counts.sm ?? 0) / result.examined).toFixed(2)} | ${(ms / result.examined).toFixed(1)} |`);
    return lines;
  } finally {
    await emulator.stop();
  }
}
