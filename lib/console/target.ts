import { BedrockAgentCoreControlClient, type BedrockAgentCoreControlClientConfig } from '@aws-sdk/client-bedrock-agentcore-control';

type Credentials = NonNullable<BedrockAgentCoreControlClientConfig['credentials']>;
import { userConnectionsClient } from '../user-connections/client.js';

/**
 * The offline stack's credentials (`npm start` prints them, its functions and the console sign
 * with them): moto treats an unknown key as the account's root.
 */
export const LOCAL_CREDENTIALS: Readonly<{ accessKeyId: string; secretAccessKey: string }> = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface TargetOptions {
  endpoint: string;
  region: string;
  /** The operator's credentials; by default the standard AWS chain (environment, profile, SSO, role...). */
  credentials?: Credentials;
  /** 'execute-api' by default: the deployed API sits behind API Gateway's IAM authorizer. */
  signingName?: string;
  /** How long one call to the service may take, 30 s by default. */
  timeoutMs?: number;
}

/** What the page header says about the service the console drives; never anything about credentials but where they came from. */
export interface TargetInfo {
  endpoint: string;
  region: string;
  offline: boolean;
  credentialSource: 'given' | 'chain' | 'offline';
}

export interface ConsoleApi {
  control: BedrockAgentCoreControlClient;
  connections: ReturnType<typeof userConnectionsClient>;
  target: TargetInfo;
}

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/**
 * The credentials the console signs with. The standard chain's provider is kept (not its first
 * answer), so credentials that expire (SSO, assumed roles) are refreshed as the SDK does. Only
 * against the offline server does an empty chain fall back to `local`/`local`; a deployment
 * without credentials is an error the operator must see at start.
 */
async function operatorCredentials(options: TargetOptions, offline: boolean) {
  if (options.credentials) return { credentials: options.credentials, source: 'given' as const };
  const chain = new BedrockAgentCoreControlClient({ region: options.region }).config.credentials;
  try {
    await chain();
    return { credentials: chain, source: 'chain' as const };
  } catch (error) {
    if (offline) return { credentials: LOCAL_CREDENTIALS, source: 'offline' as const };
    throw new Error(`No AWS credentials for ${options.endpoint}: the standard credential chain found none (${(error as Error).name}). Set AWS_PROFILE or the AWS_* variables.`);
  }
}

export async function consoleApi(options: TargetOptions): Promise<ConsoleApi> {
  if (!URL.canParse(options.endpoint) || !/^https?:$/.test(new URL(options.endpoint).protocol)) throw new Error(`The endpoint must be an http(s) URL, not "${options.endpoint}"`);
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const offline = isLoopback(endpoint);
  const { credentials, source } = await operatorCredentials(options, offline);
  const signingName = options.signingName ?? 'execute-api';
  // The SDK honours signingName at runtime though the client's config type does not declare it.
  // A hung service ends in an error page, not a page that never loads (the SDK sets no request timeout of its own).
  const timeoutMs = options.timeoutMs ?? 30_000;
  const controlConfig: BedrockAgentCoreControlClientConfig & { signingName: string } = {
    endpoint,
    region: options.region,
    credentials,
    signingName,
    requestHandler: { connectionTimeout: Math.min(timeoutMs, 5_000), requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  };
  return {
    control: new BedrockAgentCoreControlClient(controlConfig),
    connections: userConnectionsClient({ endpoint, region: options.region, credentials, signingName, timeoutMs }),
    target: { endpoint, region: options.region, offline, credentialSource: source },
  };
}
