import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { LOCAL_CREDENTIALS } from '../../lib/console/target.js';
import { startEmulator, stopChild, type Emulator } from './emulator.js';
import { outputLines } from './output-lines.js';
import { watchProviderSecrets } from './rotation-watcher.js';
import { createResources, resolveServiceConfig, slsBin, type ServiceConfig } from './resources.js';

export interface StackOptions {
  /** HTTP port of the API; 0 picks a free one. */
  port?: number;
  /** An emulator that is already running (AWS_ENDPOINT_URL); otherwise moto is started. */
  emulatorEndpoint?: string;
  /** Port for the moto this stack starts; 0 (the default) picks a free one. */
  emulatorPort?: number;
  stage?: string;
  /** Extra settings for the functions (they must be named in serverless.yml's environment). */
  environment?: Record<string, string>;
  /** Lines the offline server prints, for whoever wants to show them. */
  onOutput?: (line: string) => void;
}

export interface Stack {
  url: string;
  emulatorEndpoint: string;
  region: string;
  accountId: string;
  stage: string;
  /** The environment the functions run with; tests use it to call handlers in process. */
  functionEnvironment: Record<string, string>;
  config: ServiceConfig;
  /** Base URL of the offline server's Lambda Invoke API, for clients that invoke functions. */
  lambdaInvokeUrl: string;
  /** Invokes a function of the offline server as Lambda would (the Invoke API). */
  invoke(functionName: string, event: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

const ROOT = resolvePath(__dirname, '..', '..');

/** Whether `port` can be bound on `host` right now; an address this machine lacks counts as free. */
function freeOn(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT'));
    server.listen({ port, host, ipv6Only: host === '::1' }, () => server.close(() => resolve(true)));
  });
}

/**
 * Whether `port` can be bound on loopback right now (a fixed default port may be taken), on
 * 127.0.0.1 and on [::1]: browsers try ::1 first for `localhost` names.
 */
export async function portIsFree(port: number): Promise<boolean> {
  return (await freeOn(port, '127.0.0.1')) && (await freeOn(port, '::1'));
}

/** A port setting (an environment variable, an option): an integer 0-65535, 0 for a free one. */
export function parsePort(setting: string | number, name: string): number {
  const port = Number(setting);
  if (String(setting).trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number (0 for a free one), not "${setting}"`);
  return port;
}

/**
 * The port a part of `npm start` asks for: the setting if it is free, else 0 (a free one), said
 * through `tell`, so that a second `npm start` (or a LocalStack on 4566) does not stop it.
 * `part` names it in that line: 'the AWS emulator' (EMULATOR_PORT), 'the console' (CONSOLE_PORT).
 */
export async function choosePort(setting: string | number, name: string, part: string, tell: (line: string) => void): Promise<number> {
  const wanted = parsePort(setting, name);
  if (wanted === 0 || (await portIsFree(wanted))) return wanted;
  tell(`Port ${wanted} is taken: ${part} gets a free port instead (set ${name} to choose one).`);
  return 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The whole service on one machine: moto for AWS, the resources infra/ defines, and
 * serverless-offline serving the HTTP API with the same handlers and environment as a deployment.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const stage = options.stage ?? 'local';
  const region = process.env.AWS_REGION ?? 'us-east-1';
  let emulator: Emulator | undefined;
  let offline: ChildProcess | undefined;
  let port = options.port ?? 0;
  let watcher: { stop(): void } | undefined;
  const stop = async () => {
    watcher?.stop();
    if (offline) await stopChild(offline);
    if (emulator) await emulator.stop();
    if (port) await rm(resolvePath(ROOT, buildFolder(port)), { recursive: true, force: true });
  };
  try {
    port ||= await freePort();
    // Offline, API Gateway's request context names no real domain, and the callback URL never
    // comes from the Host header: the stack says where it listens (unless told otherwise).
    const publicBaseUrl = options.environment?.PUBLIC_BASE_URL || process.env.PUBLIC_BASE_URL || `http://127.0.0.1:${port}`;
    const environment = { ...options.environment, PUBLIC_BASE_URL: publicBaseUrl };
    // The moto this stack starts gets its port and account here, so that the offline server (the
    // slowest part: the framework, then bundling every function) starts at once, beside moto and
    // `osls print` rather than after them. An emulator that is already running is asked instead.
    const emulatorPort = options.emulatorEndpoint ? undefined : options.emulatorPort || (await freePort());
    const emulatorEndpoint = options.emulatorEndpoint ?? `http://127.0.0.1:${emulatorPort}`;
    const clientConfig = { endpoint: emulatorEndpoint, region, credentials: LOCAL_CREDENTIALS };
    const accountId = emulatorPort === undefined ? await accountOf(clientConfig) : process.env.MOTO_ACCOUNT_ID || MOTO_DEFAULT_ACCOUNT_ID;
    const lambdaPort = await freePort();
    const awsEnvironment = {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: region,
      AWS_ENDPOINT_URL: emulatorEndpoint,
      AWS_ACCOUNT_ID: accountId,
      // The SDK's notice about Node 20 would otherwise repeat in every worker's output.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    // The offline server resolves serverless.yml itself (the provider's environment included) from
    // the same settings `osls print` gets: it needs only the emulator's whereabouts on top.
    const offlineReady = startOffline(port, stage, { ...environment, ...awsEnvironment, OFFLINE_LAMBDA_PORT: String(lambdaPort) }, options.onOutput).then((child) => {
      offline = child;
    });
    const emulatorReady = emulatorPort === undefined ? Promise.resolve() : startEmulator(emulatorPort, accountId).then((started) => void (emulator = started));
    const configReady = resolveServiceConfig(ROOT, stage, environment);
    const resourcesReady = Promise.all([configReady, emulatorReady]).then(([config]) => createResources(config.resources.Resources, clientConfig));
    // Every part runs to its end (so that stop() finds whatever did start) before a failure is told.
    const outcomes = await Promise.allSettled([offlineReady, emulatorReady, configReady, resourcesReady]);
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const config = await configReady;
    const functionEnvironment: Record<string, string> = { ...config.provider.environment, ...awsEnvironment };
    const service = (config as unknown as { service: string }).service;
    const lambdaInvokeUrl = `http://127.0.0.1:${lambdaPort}/2015-03-31/functions`;
    const invoke = async (functionName: string, event: unknown) => {
      const response = await fetch(`${lambdaInvokeUrl}/${service}-${stage}-${functionName}/invocations`, {
        method: 'POST',
        body: JSON.stringify(event),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`invoke ${functionName}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    watcher = watchProviderSecrets({
      clientConfig,
      providersTable: functionEnvironment.CREDENTIAL_PROVIDERS_TABLE!,
      deliver: async (event) => void (await invoke('secretRotation', event)),
      onError: (error) => options.onOutput?.(`[rotation watcher] ${(error as Error).message}`),
    });
    return { url: `http://127.0.0.1:${port}`, emulatorEndpoint, region, accountId, stage, functionEnvironment, config, lambdaInvokeUrl, invoke, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** moto's account when MOTO_ACCOUNT_ID does not name one. */
const MOTO_DEFAULT_ACCOUNT_ID = '123456789012';

/** The account of an emulator this stack did not start (LocalStack's differs from moto's). */
async function accountOf(clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } }): Promise<string> {
  const sts = new STSClient(clientConfig);
  try {
    const { Account = '000000000000' } = await sts.send(new GetCallerIdentityCommand({}));
    return Account;
  } finally {
    sts.destroy();
  }
}

const buildFolder = (port: number) => `.esbuild/offline-${port}`;

async function startOffline(port: number, stage: string, env: Record<string, string>, onOutput?: (line: string) => void) {
  const child = spawn(process.execPath, [slsBin(ROOT), 'offline', 'start', '--stage', stage], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), ESBUILD_WORK_FOLDER: buildFolder(port), SLS_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    // Line by line, in bounded memory: the server prints for as long as it runs (see output-lines.ts).
    let ready = false;
    const lines = outputLines((line) => {
      if (line.trim()) onOutput?.(line);
      if (!ready && line.includes('Server ready:')) {
        ready = true;
        resolve();
      }
    });
    const onData = (chunk: Buffer) => lines.push(chunk);
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serverless-offline exited with code ${code}:\n${lines.tail()}`)));
    setTimeout(() => reject(new Error(`serverless-offline was not ready within 60 s:\n${lines.tail()}`)), 60_000).unref();
  }).catch(async (error) => {
    await stopChild(child);
    throw error;
  });
  return child;
}
