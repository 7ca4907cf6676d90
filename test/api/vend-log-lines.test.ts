import { describe, expect, it } from 'vitest';
import { secretValue, uniqueName } from '../setup/clients.js';
import { apiEvent, lambdaContext, useFunctionEnvironment } from '../setup/in-process.js';

/**
 * What the handlers print per request, read from this process's stdout (the logger's output):
 * a vend (or any request that audits) writes one line, its audit record with the request's status
 * and latency; every other request keeps its one request line.
 */
useFunctionEnvironment({ POWERTOOLS_LOG_LEVEL: 'INFO' });
const control = (await import('../../functions/control-plane.js')).handler;
const dataPlane = (await import('../../functions/data-plane.js')).handler;

/** The JSON lines the handler printed for one call, with its answer. */
async function linesOf(handler: typeof control, path: string, body: unknown) {
  const context = lambdaContext();
  const printed: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    printed.push(String(chunk));
    return (write as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
  }) as typeof process.stdout.write;
  let result;
  try {
    result = await handler(apiEvent(path, body) as never, context);
  } finally {
    process.stdout.write = write;
  }
  const lines = printed
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>)
    .filter((line) => line.function_request_id === context.awsRequestId);
  return { result, lines };
}

async function setup() {
  const workloadName = uniqueName('log-agent');
  const provider = uniqueName('log-provider');
  const { lines: createLines } = await linesOf(control, '/identities/CreateWorkloadIdentity', { name: workloadName });
  await linesOf(control, '/identities/CreateApiKeyCredentialProvider', { name: provider, apiKey: secretValue('log-line') });
  const { result, lines: watLines } = await linesOf(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName });
  return { workloadName, provider, token: JSON.parse(result.body!).workloadAccessToken as string, createLines, watLines };
}

describe('log lines', () => {
  it('are one per vend: the audit record, with the status, latency and operation of the request', async () => {
    const { workloadName, provider, token } = await setup();
    const { result, lines } = await linesOf(dataPlane, '/identities/api-key', { workloadIdentityToken: token, resourceCredentialProviderName: provider });
    expect(result.statusCode).toBe(200);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'INFO', message: 'audit', status: 200, operation: 'GetResourceApiKey' });
    expect(lines[0]!.latencyMs).toBeTypeOf('number');
    expect(lines[0]!.audit).toMatchObject({ operation: 'GetResourceApiKey', workload: workloadName, provider, outcome: 'success' });
  });

  it('are one per refused vend too, with the status it was refused with', async () => {
    const { token } = await setup();
    const { result, lines } = await linesOf(dataPlane, '/identities/api-key', { workloadIdentityToken: token, resourceCredentialProviderName: uniqueName('absent') });
    expect(result.statusCode).toBe(404);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: 'audit', status: 404, audit: { outcome: 'refused', errorType: 'ResourceNotFoundException' } });
    expect(lines[0]!.latencyMs).toBeTypeOf('number');
  });

  it('are one per audited request that is no vend (minting a workload access token)', async () => {
    const { workloadName, watLines } = await setup();
    expect(watLines).toHaveLength(1);
    expect(watLines[0]).toMatchObject({ message: 'audit', status: 200, operation: 'GetWorkloadAccessToken', audit: { workload: workloadName, outcome: 'success' } });
  });

  it('are one per request for operations that audit nothing, as before', async () => {
    const { createLines } = await setup();
    expect(createLines).toHaveLength(1);
    expect(createLines[0]).toMatchObject({ message: 'request completed', status: 201, operation: 'CreateWorkloadIdentity' });
    expect(createLines[0]!.audit).toBeUndefined();
    const { lines } = await linesOf(control, '/identities/GetWorkloadIdentity', { name: uniqueName('absent') });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: 'request refused', status: 404, errorType: 'ResourceNotFoundException' });
  });
});
