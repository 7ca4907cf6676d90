import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { stack } from './clients.js';

/**
 * Runs handlers in this process with the environment a deployment gives them, against the suite's
 * emulator: for sample events, fault injection and measurements. Call before importing a handler.
 */
export function useFunctionEnvironment(overrides: Record<string, string> = {}) {
  Object.assign(process.env, stack.functionEnvironment, overrides);
}

export function sampleEvent<T = any>(path: string): T {
  return JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'events', path), 'utf8')) as T;
}

let invocations = 0;
export function lambdaContext(functionName = 'agentcore-identity-test-fn'): Context {
  invocations += 1;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${stack.region}:${stack.accountId}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `test-request-${process.pid}-${invocations}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
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

/** An API Gateway v2 request for an operation, as the HTTP API would hand it to a handler. */
export function apiEvent(path: string, body: unknown) {
  const event = sampleEvent('http/create-workload-identity.json');
  return {
    ...event,
    routeKey: `POST ${path}`,
    rawPath: path,
    requestContext: { ...event.requestContext, routeKey: `POST ${path}`, http: { ...event.requestContext.http, path } },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}
