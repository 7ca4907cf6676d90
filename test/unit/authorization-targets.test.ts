import { describe, expect, it } from 'vitest';
import { evaluate } from '../../lib/authorization/evaluate.js';
import { authorizationTarget, isTargetRefusal, type AuthorizationTarget } from '../../lib/authorization/targets.js';
import operations from '../../lib/contract/model.json' with { type: 'json' };

/** Each operation as `bedrock-agentcore:<Operation>` on the ARN AgentCore's documentation names. */

const where = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
const PREFIX = 'arn:aws:bedrock-agentcore:us-east-1:123456789012';
const VAULT = `${PREFIX}:token-vault/default`;
const DIRECTORY = `${PREFIX}:workload-identity-directory/default`;

function target(operation: string, input: Record<string, unknown>, extra: { workloadName?: string } = {}): AuthorizationTarget {
  const result = authorizationTarget(operation, input, { ...where, ...extra });
  if (isTargetRefusal(result)) throw new Error(`${operation} refused: ${JSON.stringify(result)}`);
  return result;
}

describe('authorizationTarget', () => {
  it('has a target for every operation of the contract', () => {
    const names = Object.keys((operations as { operations: Record<string, unknown> }).operations);
    expect(names.length).toBeGreaterThan(25);
    for (const name of names) expect(authorizationTarget(name, {}, where), name).not.toEqual({ refused: 'unknown-operation' });
  });

  it('vends on the credential provider, naming the vault, the directory and the calling workload too', () => {
    expect(target('GetResourceApiKey', { resourceCredentialProviderName: 'github', workloadIdentityToken: 'x' }, { workloadName: 'orders-gw-1' })).toEqual({
      action: 'bedrock-agentcore:GetResourceApiKey',
      resource: `${VAULT}/apikeycredentialprovider/github`,
      alsoNamed: [VAULT, DIRECTORY, `${DIRECTORY}/workload-identity/orders-gw-1`],
    });
    expect(target('GetResourceOauth2Token', { resourceCredentialProviderName: 'google' })).toMatchObject({ resource: `${VAULT}/oauth2credentialprovider/google`, alsoNamed: [VAULT, DIRECTORY] });
  });

  it('mints workload access tokens on the workload identity', () => {
    for (const operation of ['GetWorkloadAccessToken', 'GetWorkloadAccessTokenForJWT', 'GetWorkloadAccessTokenForUserId']) {
      expect(target(operation, { workloadName: 'orders-gw-1', userId: 'u' })).toEqual({ action: `bedrock-agentcore:${operation}`, resource: `${DIRECTORY}/workload-identity/orders-gw-1`, alsoNamed: [DIRECTORY] });
    }
  });

  it('creates and lists on the directory or the vault, and names the ARN a Create will mint', () => {
    expect(target('CreateWorkloadIdentity', { name: 'agent' })).toEqual({ action: 'bedrock-agentcore:CreateWorkloadIdentity', resource: DIRECTORY, alsoNamed: [`${DIRECTORY}/workload-identity/agent`] });
    expect(target('ListWorkloadIdentities', {})).toMatchObject({ resource: DIRECTORY, alsoNamed: [] });
    expect(target('CreateApiKeyCredentialProvider', { name: 'k' })).toMatchObject({ resource: VAULT, alsoNamed: [`${VAULT}/apikeycredentialprovider/k`] });
    expect(target('CreateOauth2CredentialProvider', { name: 'o' })).toMatchObject({ resource: VAULT, alsoNamed: [`${VAULT}/oauth2credentialprovider/o`] });
    expect(target('ListApiKeyCredentialProviders', {}).resource).toBe(VAULT);
    expect(target('ListOauth2CredentialProviders', {}).resource).toBe(VAULT);
  });

  it('reads, updates and deletes on the resource touched', () => {
    for (const verb of ['Get', 'Update', 'Delete']) {
      expect(target(`${verb}WorkloadIdentity`, { name: 'w' }).resource).toBe(`${DIRECTORY}/workload-identity/w`);
      expect(target(`${verb}ApiKeyCredentialProvider`, { name: 'k' }).resource).toBe(`${VAULT}/apikeycredentialprovider/k`);
      expect(target(`${verb}Oauth2CredentialProvider`, { name: 'o' }).resource).toBe(`${VAULT}/oauth2credentialprovider/o`);
      expect(target(`${verb}ConsentPortal`, { consentPortalIdentifier: 'portal-abcdefghij' }).resource).toBe(`${PREFIX}:consent-portal/portal-abcdefghij`);
    }
    expect(target('GetTokenVault', {}).resource).toBe(VAULT);
    expect(target('SetTokenVaultCMK', { tokenVaultId: 'default' }).resource).toBe(VAULT);
    expect(target('CompleteResourceTokenAuth', { sessionUri: 's' }, { workloadName: 'w' })).toMatchObject({ resource: VAULT, alsoNamed: [`${DIRECTORY}/workload-identity/w`] });
  });

  it('tags on the ARN given, and consent portal Create and List on the collection', () => {
    const arn = `${DIRECTORY}/workload-identity/w`;
    for (const operation of ['TagResource', 'UntagResource', 'ListTagsForResource']) expect(target(operation, { resourceArn: arn }).resource).toBe(arn);
    expect(target('CreateConsentPortal', { name: 'p' }).resource).toBe(`${PREFIX}:consent-portal/*`);
    expect(target('ListConsentPortals', {}).resource).toBe(`${PREFIX}:consent-portal/*`);
  });

  it('refuses inputs that name no resource, and operations it does not know', () => {
    expect(authorizationTarget('GetResourceApiKey', {}, where)).toEqual({ refused: 'invalid-input', field: 'resourceCredentialProviderName' });
    expect(authorizationTarget('GetResourceApiKey', { resourceCredentialProviderName: 'a/../b' }, where)).toEqual({ refused: 'invalid-input', field: 'resourceCredentialProviderName' });
    expect(authorizationTarget('GetWorkloadIdentity', { name: 'x*' }, where)).toEqual({ refused: 'invalid-input', field: 'name' });
    expect(authorizationTarget('TagResource', { resourceArn: 42 }, where)).toEqual({ refused: 'invalid-input', field: 'resourceArn' });
    expect(authorizationTarget('InvokeAgentRuntime', {}, where)).toEqual({ refused: 'unknown-operation' });
    expect(authorizationTarget('constructor', {}, where)).toEqual({ refused: 'unknown-operation' });
    expect(authorizationTarget('GetResourceApiKey', null as unknown as Record<string, unknown>, where)).toEqual({ refused: 'invalid-input' });
    // A workload name the token carries that no model allows is left out, not minted into an ARN.
    expect(target('GetResourceApiKey', { resourceCredentialProviderName: 'k' }, { workloadName: 'a:b' }).alsoNamed).toEqual([VAULT, DIRECTORY]);
  });
});

describe('the extension operations', () => {
  it('are agentcore-identity:<Operation>: the vault for a list, the provider and the workload for a revoke, never a bedrock-agentcore action', () => {
    expect(target('ListUserConnections', { userId: 'u' })).toEqual({ action: 'agentcore-identity:ListUserConnections', resource: VAULT, alsoNamed: [] });
    expect(target('ListUserConnections', { userId: 'u', workloadName: 'agent-1' })).toEqual({ action: 'agentcore-identity:ListUserConnections', resource: VAULT, alsoNamed: [`${DIRECTORY}/workload-identity/agent-1`] });
    expect(target('RevokeUserConnection', { userId: 'u', workloadName: 'agent-1', credentialProviderName: 'github' })).toEqual({
      action: 'agentcore-identity:RevokeUserConnection',
      resource: `${VAULT}/oauth2credentialprovider/github`,
      alsoNamed: [`${DIRECTORY}/workload-identity/agent-1`, VAULT],
      alsoRequired: [`${DIRECTORY}/workload-identity/agent-1`],
    });
    expect(authorizationTarget('RevokeUserConnection', { workloadName: 'agent-1', credentialProviderName: 'a/b' }, where)).toEqual({ refused: 'invalid-input', field: 'credentialProviderName' });
    const agentCoreAdmin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock-agentcore:*', Resource: '*' }] };
    const list = target('ListUserConnections', { userId: 'u' });
    expect(evaluate([agentCoreAdmin], { action: list.action, resource: list.resource, context: {} }).decision).toBe('deny');
  });
});

describe('the seed policies against the targets', () => {
  const seed = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'bedrock-agentcore:GetResourceApiKey', Resource: `${VAULT}/apikeycredentialprovider/github` },
      { Effect: 'Allow', Action: 'bedrock-agentcore:GetWorkloadAccessToken', Resource: `${DIRECTORY}/workload-identity/orders-gw-*` },
    ],
  };
  const decide = (t: AuthorizationTarget): string => evaluate([seed], { action: t.action, resource: t.resource, context: {} }).decision;

  it('allow as written', () => {
    expect(decide(target('GetResourceApiKey', { resourceCredentialProviderName: 'github' }))).toBe('allow');
    expect(decide(target('GetResourceApiKey', { resourceCredentialProviderName: 'gitlab' }))).toBe('deny');
    expect(decide(target('GetWorkloadAccessToken', { workloadName: 'orders-gw-a' }))).toBe('allow');
    expect(decide(target('GetWorkloadAccessToken', { workloadName: 'billing-gw-a' }))).toBe('deny');
  });
});
