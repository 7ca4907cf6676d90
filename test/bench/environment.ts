import { resolve } from 'node:path';
import type { Emulator } from '../../infra/local/emulator.js';
import { createResources, resolveServiceConfig } from '../../infra/local/resources.js';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';

export const ROOT = resolve(__dirname, '..', '..');

/**
 * The deployment's resources on a bench's own emulator, and this process's environment set as a
 * function's would be (the handlers are then imported and run in process). Overrides win.
 */
export async function useBenchEnvironment(emulator: Emulator, stage: string, overrides: Record<string, string> = {}) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const config = await resolveServiceConfig(ROOT, stage);
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  await createResources(config.resources.Resources, { endpoint: emulator.endpoint, region: 'us-east-1', credentials });
  await useSampleEventPrincipal(new IAMClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials }));
  Object.assign(process.env, config.provider.environment, {
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ACCOUNT_ID: '123456789012',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    ...overrides,
  });
  return config;
}

/**
 * The sample events' caller (events/http/*.json: the assumed role PlatformAdmin) as a role of the
 * bench's IAM, allowed every bedrock-agentcore action: handlers run in process authorize as
 * deployed (AUTHORIZATION=iam-policies), so the figures include authorization's cost.
 */
async function useSampleEventPrincipal(iam: IAMClient) {
  const document = (Statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [Statement] });
  const trust = document({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });
  // A second bench on the same emulator finds it there.
  await iam.send(new CreateRoleCommand({ RoleName: 'PlatformAdmin', AssumeRolePolicyDocument: trust })).catch((error: Error) => {
    if (error.name !== 'EntityAlreadyExists' && error.name !== 'EntityAlreadyExistsException') throw error;
  });
  await iam.send(new PutRolePolicyCommand({ RoleName: 'PlatformAdmin', PolicyName: 'agentcore', PolicyDocument: document({ Effect: 'Allow', Action: 'bedrock-agentcore:*', Resource: '*' }) }));
}

/** A CustomOauth2 provider whose authorization server is a bench's own loopback token endpoint at `base`. */
export function loopbackOauth2Provider(name: string, base: string) {
  return {
    name,
    credentialProviderVendor: 'CustomOauth2',
    oauth2ProviderConfigInput: {
      customOauth2ProviderConfig: {
        clientId: 'bench-client',
        clientSecret: 'bench-client-secret',
        oauthDiscovery: { authorizationServerMetadata: { issuer: base, authorizationEndpoint: `${base}/authorize`, tokenEndpoint: `${base}/token` } },
      },
    },
  };
}
