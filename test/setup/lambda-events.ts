import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';

/** Events and contexts for calling handlers in process, as Lambda would (tests and benchmarks). */
export function sampleEvent<T = any>(path: string): T {
  return JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'events', path), 'utf8')) as T;
}

let invocations = 0;
export function lambdaContext(where: { region: string; accountId: string }, functionName = 'agentcore-identity-test-fn'): Context {
  invocations += 1;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${where.region}:${where.accountId}:function:${functionName}`,
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
