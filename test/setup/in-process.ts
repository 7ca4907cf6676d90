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
