import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack, type Stack } from '../../infra/local/stack.js';

/**
 * One offline stack (moto + serverless-offline) for the whole suite: every API test talks to it
 * over real HTTP through the official clients. Tests isolate themselves with unique names.
 * Everything the offline server prints (handler logs included) goes to a file that the
 * log-hygiene test reads.
 */
let stack: Stack | undefined;

export async function setup(project: TestProject) {
  const logFile = join(mkdtempSync(join(tmpdir(), 'agentcore-identity-')), 'offline.log');
  stack = await startStack({ port: 0, onOutput: (line) => appendFileSync(logFile, `${line}\n`) });
  project.provide('stack', {
    url: stack.url,
    emulatorEndpoint: stack.emulatorEndpoint,
    region: stack.region,
    accountId: stack.accountId,
    functionEnvironment: stack.functionEnvironment,
  });
  project.provide('offlineLogFile', logFile);
}

export async function teardown() {
  await stack?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: {
      url: string;
      emulatorEndpoint: string;
      region: string;
      accountId: string;
      functionEnvironment: Record<string, string>;
    };
    offlineLogFile: string;
  }
}
