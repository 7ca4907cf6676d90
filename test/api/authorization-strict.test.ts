import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { BedrockAgentCoreControlClient, CreateApiKeyCredentialProviderCommand, CreateWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { BedrockAgentCoreClient, GetResourceApiKeyCommand, GetWorkloadAccessTokenCommand } from '@aws-sdk/client-bedrock-agentcore';
import { startStack, type Stack } from '../../infra/local/stack.js';
import { failure, secretValue, stack as suiteStack, uniqueName } from '../setup/clients.js';

/**
 * `authorizationStrict` offline, through the official clients: a deployment of its own (a second
 * offline server on the suite's emulator) where a vend must be signed, and the signer's policies
 * must allow it as well as those of the principal that minted the workload access token.
 */
type Credentials = { accessKeyId: string; secretAccessKey: string };
const root: Credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let strict: Stack;

beforeAll(async () => {
  const log = join(process.env.AGENTCORE_TEST_RUN_DIR!, 'offline-strict.log');
  strict = await startStack({
    port: 0,
    stage: 'strict',
    emulatorEndpoint: suiteStack.emulatorEndpoint,
    environment: { AUTHORIZATION: 'iam-policies', AUTHORIZATION_STRICT: 'true' },
    onOutput: (line) => appendFileSync(log, `${line}\n`),
  });
});
afterAll(() => strict?.stop());

const iam = () => new IAMClient({ endpoint: suiteStack.emulatorEndpoint, region: suiteStack.region, credentials: root });
const control = () => new BedrockAgentCoreControlClient({ endpoint: strict.url, region: strict.region, credentials: root, maxAttempts: 1 });
const data = (credentials: Credentials) => new BedrockAgentCoreClient({ endpoint: strict.url, region: strict.region, credentials, maxAttempts: 1 });

async function userWith(actions: string[]): Promise<{ arn: string; credentials: Credentials }> {
  const name = uniqueName('strict-user');
  const { User } = await iam().send(new CreateUserCommand({ UserName: name }));
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
  await iam().send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: JSON.stringify(policy) }));
  const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: name }));
  return { arn: User!.Arn!, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } };
}

describe('authorizationStrict, offline through the official clients', () => {
  it('refuses an unsigned vend, judges the signer besides the WAT minter, and vends when both are allowed', async () => {
    const workloadName = uniqueName('strict-agent');
    const provider = uniqueName('strict-key');
    const apiKey = secretValue('strict');
    await control().send(new CreateWorkloadIdentityCommand({ name: workloadName }));
    await control().send(new CreateApiKeyCredentialProviderCommand({ name: provider, apiKey }));
    const minter = await userWith(['bedrock-agentcore:GetWorkloadAccessToken', 'bedrock-agentcore:GetResourceApiKey']);
    const presenter = await userWith(['bedrock-agentcore:GetResourceApiKey']);
    const outsider = await userWith(['bedrock-agentcore:GetWorkloadIdentity']);
    const { workloadAccessToken } = await data(minter.credentials).send(new GetWorkloadAccessTokenCommand({ workloadName }));
    const vend = { workloadIdentityToken: workloadAccessToken!, resourceCredentialProviderName: provider };

    const unsigned = await fetch(`${strict.url}/identities/api-key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(vend) });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(await unsigned.text()).not.toContain(apiKey);

    const refused = await failure(data(outsider.credentials).send(new GetResourceApiKeyCommand(vend)));
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.message).toContain(outsider.arn);

    expect((await data(presenter.credentials).send(new GetResourceApiKeyCommand(vend))).apiKey).toBe(apiKey);
    expect((await data(minter.credentials).send(new GetResourceApiKeyCommand(vend))).apiKey).toBe(apiKey);
  });
});
