import { stack } from './clients.js';
import { apiEvent, lambdaContext as contextIn, sampleEvent } from './lambda-events.js';

export { apiEvent, sampleEvent };

export const lambdaContext = (functionName?: string) => contextIn(stack, functionName);

/**
 * Runs handlers in this process with the environment a deployment gives them, against the suite's
 * emulator: for sample events, fault injection and measurements. Call before importing a handler.
 */
export function useFunctionEnvironment(overrides: Record<string, string> = {}) {
  // The sample events name a principal the emulator does not have: in-process tests exercise the
  // handlers, and authorization is tested through the offline stack (test/api/authorization.test.ts).
  Object.assign(process.env, stack.functionEnvironment, { AUTHORIZATION: 'route-only' }, overrides);
}

/**
 * Tables of their own for in-process tests that must not see what the offline stack's rotation
 * watcher does to the shared ones: the same definitions as infra/, under another stage name.
 */
export async function useIsolatedTables(label: string, overrides: Record<string, string> = {}) {
  const { createResources } = await import('../../infra/local/resources.js');
  const suffix = `${label}-${Math.random().toString(16).slice(2, 8)}`;
  const rename = (table: string) => `${table}-${suffix}`;
  const template = structuredClone(stack.resources);
  for (const resource of Object.values(template)) {
    if (resource.Type === 'AWS::DynamoDB::Table') resource.Properties!.TableName = rename(resource.Properties!.TableName);
  }
  await createResources(template, { endpoint: stack.emulatorEndpoint, region: stack.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const env = stack.functionEnvironment;
  useFunctionEnvironment({
    WORKLOAD_IDENTITIES_TABLE: rename(env.WORKLOAD_IDENTITIES_TABLE!),
    CREDENTIAL_PROVIDERS_TABLE: rename(env.CREDENTIAL_PROVIDERS_TABLE!),
    TOKEN_VAULT_TABLE: rename(env.TOKEN_VAULT_TABLE!),
    OAUTH2_SESSIONS_TABLE: rename(env.OAUTH2_SESSIONS_TABLE!),
    ...overrides,
  });
}
