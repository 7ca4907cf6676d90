import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startStack, type Stack } from '../../infra/local/stack.js';
import { CLIENTS, startAuthorizationServer, type TestAuthorizationServer } from './authorization-server.js';
import { startTestIssuer, type TestIssuer } from './jwt-issuer.js';

/**
 * One offline stack (moto + serverless-offline) for the whole suite: every API test talks to it
 * over real HTTP through the official clients. Tests isolate themselves with unique names.
 * Everything the offline server prints (handler logs included) goes to the run folder, where
 * the log-hygiene project reads it.
 */
export const TEST_AUDIENCE = 'agentcore-identity-tests';

interface SuiteServers {
  stack: Stack;
  issuer: TestIssuer;
  authorizationServer: TestAuthorizationServer;
}

/**
 * The API projects (`api`, whose files run side by side, and `api-serial`, whose files need the
 * offline server's containers to themselves) share one stack: each project runs this setup, the
 * first starts the servers, the last one out stops them. vitest loads this module once per
 * project, so the count lives on globalThis. Other projects (`long`) get a stack of their own.
 */
const running = ((globalThis as { agentcoreSuiteServers?: Map<string, { users: number; servers: Promise<SuiteServers> }> }).agentcoreSuiteServers ??= new Map());

async function startServers(): Promise<SuiteServers> {
  const dir = process.env.AGENTCORE_TEST_RUN_DIR!;
  const logFile = join(dir, 'offline.log');
  const issuer = await startTestIssuer();
  // The authorization server must know the service's callback URL before the service starts.
  const port = await freePort();
  const authorizationServer = await startAuthorizationServer(`http://127.0.0.1:${port}/identities/oauth2/callback`);
  try {
    const stack = await startStack({
      port,
      // oidc-provider's ID tokens too (audience: the consent portals' client), as a portal's users sign in there.
      environment: {
        USER_TOKEN_ISSUERS: JSON.stringify([
          { discoveryUrl: `${issuer.issuer}/.well-known/openid-configuration`, audience: [TEST_AUDIENCE] },
          { discoveryUrl: `${authorizationServer.issuer}/.well-known/openid-configuration`, audience: [CLIENTS.portal.client_id] },
        ]),
      },
      onOutput: (line) => appendFileSync(logFile, `${line}\n`),
    });
    return { stack, issuer, authorizationServer };
  } catch (error) {
    await issuer.stop();
    await authorizationServer.stop();
    throw error;
  }
}

export async function setup(project: TestProject) {
  const key = project.name.startsWith('api') ? 'api' : project.name;
  const entry = running.get(key) ?? { users: 0, servers: startServers() };
  running.set(key, entry);
  entry.users += 1;
  const { stack, issuer, authorizationServer } = await entry.servers;
  project.provide('stack', {
    url: stack.url,
    emulatorEndpoint: stack.emulatorEndpoint,
    region: stack.region,
    accountId: stack.accountId,
    functionEnvironment: stack.functionEnvironment,
    lambdaInvokeUrl: stack.lambdaInvokeUrl,
    resources: stack.config.resources.Resources,
  });
  project.provide('authorizationServer', { issuer: authorizationServer.issuer });
  project.provide('userTokenIssuer', { issuer: issuer.issuer, kid: issuer.kid, privateKeyPem: issuer.privateKeyPem, audience: TEST_AUDIENCE });
  return async () => {
    entry.users -= 1;
    if (entry.users > 0) return;
    running.delete(key);
    await stack.stop();
    await issuer.stop();
    await authorizationServer.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: {
      url: string;
      emulatorEndpoint: string;
      region: string;
      accountId: string;
      functionEnvironment: Record<string, string>;
      /** Invoke API of the offline server: `${lambdaInvokeUrl}/<function name>/invocations`. */
      lambdaInvokeUrl: string;
      resources: Record<string, { Type: string; Properties?: Record<string, any> }>;
    };
    userTokenIssuer: { issuer: string; kid: string; privateKeyPem: string; audience: string };
    authorizationServer: { issuer: string };
  }
}
