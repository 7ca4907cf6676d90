import { inject } from 'vitest';
import { BedrockAgentCoreControlClient, CreateOauth2CredentialProviderCommand, type CustomOauth2ProviderConfigInput } from '@aws-sdk/client-bedrock-agentcore-control';
import { BedrockAgentCoreClient, GetResourceOauth2TokenCommand, type GetResourceOauth2TokenCommandInput } from '@aws-sdk/client-bedrock-agentcore';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

export const stack = inject('stack');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The official clients, changed only in their endpoint. */
export function controlClient() {
  return new BedrockAgentCoreControlClient({ endpoint: stack.url, region: stack.region, credentials, maxAttempts: 1 });
}

export function dataClient() {
  return new BedrockAgentCoreClient({ endpoint: stack.url, region: stack.region, credentials, maxAttempts: 1 });
}

/** The scopes the test authorization server's `basic` client grants (refresh tokens included). */
export const USER_SCOPES = ['openid', 'offline_access', 'read'];

/** GetResourceOauth2Token in the USER_FEDERATION flow, asking the test authorization server's scopes. */
export function vendForUser(workloadIdentityToken: string, provider: string, extra: Partial<GetResourceOauth2TokenCommandInput> = {}) {
  return dataClient().send(new GetResourceOauth2TokenCommand({ workloadIdentityToken, resourceCredentialProviderName: provider, scopes: USER_SCOPES, oauth2Flow: 'USER_FEDERATION', ...extra }));
}

/** Direct access to the emulator, to check what was (not) written. */
export function emulatorDocumentClient() {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials }));
}

export function emulatorSecretsClient() {
  return new SecretsManagerClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** A raw request, for what the SDK would refuse to send (bad JSON, wrong types, unknown routes). */
export async function rawCall(path: string, body: string, method = 'POST') {
  const response = await fetch(stack.url + path, {
    method,
    body: method === 'GET' ? undefined : body,
    headers: { 'content-type': 'application/json' },
  });
  const text = await response.text();
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: text ? JSON.parse(text) : undefined };
}

/** Runs a call that must fail, and returns the error the client raised. */
export async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number }; [k: string]: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected the call to fail');
}

/** Invokes a function of the offline server through its Lambda Invoke API, as EventBridge would. */
export async function invokeFunction(functionName: string, event: unknown): Promise<any> {
  const response = await fetch(`${stack.lambdaInvokeUrl}/agentcore-identity-local-${functionName}/invocations`, { method: 'POST', body: JSON.stringify(event) });
  const text = await response.text();
  if (!response.ok) throw new Error(`invoke ${functionName}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Every secret value a test hands the service goes through here, so that the log-hygiene check at
 * the end of the suite can look for each one in everything the suite printed.
 */
export function secretValue(label: string): string {
  return rememberSecret(`sekret-${label}-${randomBytes(12).toString('hex')}`);
}

/** Registers a credential the service handed out (an access token), for the same check. */
export function rememberSecret<T extends string>(value: T): T {
  appendFileSync(join(process.env.AGENTCORE_TEST_RUN_DIR!, 'secrets.txt'), `${value}\n`);
  return value;
}

/** A CustomOauth2 credential provider created through the official client; returns its name. */
export async function createCustomOauth2Provider(control: BedrockAgentCoreControlClient, config: CustomOauth2ProviderConfigInput, name = uniqueName('idp')): Promise<string> {
  await control.send(new CreateOauth2CredentialProviderCommand({ name, credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: { customOauth2ProviderConfig: config } }));
  return name;
}
