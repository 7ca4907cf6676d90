import { describe, expect, it } from 'vitest';
import { evaluate, type AuthorizationRequest, type PolicyDocument } from '../../lib/authorization/evaluate.js';
import { parsePolicy, type ParsedPolicy } from '../../lib/authorization/policy-document.js';

/**
 * IAM's documented evaluation logic for identity-based policies in one account, case by case:
 * default deny, an explicit Deny anywhere wins over any Allow, Action/NotAction and
 * Resource/NotResource with wildcards.
 */

const ACCOUNT = '123456789012';
const PREFIX = `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}`;
const PROVIDER = (name: string): string => `${PREFIX}:token-vault/default/apikeycredentialprovider/${name}`;
const WORKLOAD = (name: string): string => `${PREFIX}:workload-identity-directory/default/workload-identity/${name}`;

function doc(...statements: Record<string, unknown>[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: statements };
}

function request(action: string, resource: string, context: AuthorizationRequest['context'] = {}): AuthorizationRequest {
  return { action, resource, context };
}

function decide(policies: PolicyDocument[], action: string, resource: string): string {
  return evaluate(policies, request(action, resource)).decision;
}

describe('seed 003 policies, as written', () => {
  const gateway = 'orders-gw';
  const seed = doc(
    { Sid: 'ApiKey', Effect: 'Allow', Action: 'bedrock-agentcore:GetResourceApiKey', Resource: PROVIDER('github') },
    { Sid: 'Wat', Effect: 'Allow', Action: ['bedrock-agentcore:GetWorkloadAccessToken'], Resource: `${PREFIX}:workload-identity-directory/default/workload-identity/${gateway}-*` },
  );

  it('allows the key of the one provider it names, and no other', () => {
    const allowed = evaluate([seed], request('bedrock-agentcore:GetResourceApiKey', PROVIDER('github')));
    expect(allowed).toMatchObject({ decision: 'allow', reason: 'allowed', matched: ['policy 0/ApiKey'] });
    expect(evaluate([seed], request('bedrock-agentcore:GetResourceApiKey', PROVIDER('gitlab')))).toMatchObject({ decision: 'deny', reason: 'implicit-deny', matched: [] });
    expect(decide([seed], 'bedrock-agentcore:GetResourceOauth2Token', PROVIDER('github'))).toBe('deny');
  });

  it('allows workload access tokens for the gateway-name-prefixed workloads only', () => {
    expect(decide([seed], 'bedrock-agentcore:GetWorkloadAccessToken', WORKLOAD(`${gateway}-target-1`))).toBe('allow');
    expect(decide([seed], 'bedrock-agentcore:GetWorkloadAccessToken', WORKLOAD(`${gateway}-`))).toBe('allow');
    expect(decide([seed], 'bedrock-agentcore:GetWorkloadAccessToken', WORKLOAD(gateway))).toBe('deny');
    expect(decide([seed], 'bedrock-agentcore:GetWorkloadAccessToken', WORKLOAD(`other-${gateway}-x`))).toBe('deny');
    expect(decide([seed], 'bedrock-agentcore:GetWorkloadAccessTokenForJWT', WORKLOAD(`${gateway}-x`))).toBe('deny');
  });
});

describe('default deny and explicit deny', () => {
  it('denies when there is no policy, or no statement applies', () => {
    expect(evaluate([], request('bedrock-agentcore:GetResourceApiKey', PROVIDER('a')))).toMatchObject({ decision: 'deny', reason: 'implicit-deny' });
    expect(decide([doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('a'))).toBe('deny');
  });

  it('lets an explicit Deny in one policy beat an Allow in another, in either order', () => {
    const allow = doc({ Sid: 'All', Effect: 'Allow', Action: 'bedrock-agentcore:*', Resource: '*' });
    const deny = doc({ Sid: 'NoGithub', Effect: 'Deny', Action: 'bedrock-agentcore:GetResourceApiKey', Resource: PROVIDER('github') });
    for (const policies of [[allow, deny], [deny, allow]]) {
      const decision = evaluate(policies, request('bedrock-agentcore:GetResourceApiKey', PROVIDER('github')));
      expect(decision.decision).toBe('deny');
      expect(decision.reason).toBe('explicit-deny');
      expect(decision.matched).toHaveLength(1);
      expect(decision.matched[0]).toMatch(/NoGithub$/);
      expect(decide(policies, 'bedrock-agentcore:GetResourceApiKey', PROVIDER('gitlab'))).toBe('allow');
    }
  });

  it('lets a Deny beat an Allow in the same statement list', () => {
    const policy = doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*' });
    expect(decide([policy], 'bedrock-agentcore:GetWorkloadIdentity', WORKLOAD('w'))).toBe('deny');
  });

  it('names every Allow statement that applied', () => {
    const a = doc({ Sid: 'One', Effect: 'Allow', Action: '*', Resource: '*' });
    const b = doc({ Sid: 'Two', Effect: 'Allow', Action: 'bedrock-agentcore:Get*', Resource: '*' });
    const named = [parsePolicy(a, 'user-inline') as ParsedPolicy, parsePolicy(b, 'group-managed') as ParsedPolicy];
    expect(evaluate(named, request('bedrock-agentcore:GetTokenVault', `${PREFIX}:token-vault/default`)).matched).toEqual(['user-inline/One', 'group-managed/Two']);
  });
});

describe('Action and NotAction', () => {
  it('matches actions without case, with * and ? wildcards', () => {
    const policy = doc({ Effect: 'Allow', Action: ['BEDROCK-AGENTCORE:getresource*', 'bedrock-agentcore:GetWorkloadAccessTokenFor???'], Resource: '*' });
    expect(decide([policy], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('a'))).toBe('allow');
    expect(decide([policy], 'bedrock-agentcore:GetResourceOauth2Token', PROVIDER('a'))).toBe('allow');
    expect(decide([policy], 'bedrock-agentcore:GetWorkloadAccessTokenForJWT', WORKLOAD('a'))).toBe('allow');
    expect(decide([policy], 'bedrock-agentcore:GetWorkloadAccessTokenForUserId', WORKLOAD('a'))).toBe('deny');
    expect(decide([policy], 'bedrock-agentcore:GetWorkloadAccessToken', WORKLOAD('a'))).toBe('deny');
  });

  it('applies NotAction to every action but those listed', () => {
    const policy = doc({ Effect: 'Allow', NotAction: 'bedrock-agentcore:Delete*', Resource: '*' });
    expect(decide([policy], 'bedrock-agentcore:GetWorkloadIdentity', WORKLOAD('a'))).toBe('allow');
    expect(decide([policy], 'bedrock-agentcore:DeleteWorkloadIdentity', WORKLOAD('a'))).toBe('deny');
    const deny = doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', NotAction: 'bedrock-agentcore:Get*', Resource: '*' });
    expect(decide([deny], 'bedrock-agentcore:GetWorkloadIdentity', WORKLOAD('a'))).toBe('allow');
    expect(decide([deny], 'bedrock-agentcore:UpdateWorkloadIdentity', WORKLOAD('a'))).toBe('deny');
  });
});

describe('Resource and NotResource', () => {
  it('matches resources with case, * spanning : and /, ? one character', () => {
    const policy = doc({ Effect: 'Allow', Action: '*', Resource: ['arn:aws:bedrock-agentcore:*/gitHub', `${PREFIX}:token-vault/default/apikeycredentialprovider/svc-?`] });
    expect(decide([policy], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('gitHub'))).toBe('allow');
    expect(decide([policy], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('github'))).toBe('deny');
    expect(decide([policy], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('svc-1'))).toBe('allow');
    expect(decide([policy], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('svc-12'))).toBe('deny');
    expect(decide([policy], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('svc-'))).toBe('deny');
  });

  it('applies NotResource to every resource but those listed', () => {
    const allow = doc({ Effect: 'Allow', Action: 'bedrock-agentcore:GetResourceApiKey', NotResource: PROVIDER('prod-*') });
    expect(decide([allow], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('dev-1'))).toBe('allow');
    expect(decide([allow], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('prod-1'))).toBe('deny');
    const deny = doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: '*', NotResource: [PROVIDER('public'), WORKLOAD('*')] });
    expect(decide([deny], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('public'))).toBe('allow');
    expect(decide([deny], 'bedrock-agentcore:GetWorkloadAccessToken', WORKLOAD('agent'))).toBe('allow');
    expect(decide([deny], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('secret'))).toBe('deny');
  });

  it('reads 2008-10-17 documents and a single Statement object', () => {
    const old = { Version: '2008-10-17', Statement: { Effect: 'Allow', Action: 'bedrock-agentcore:GetResourceApiKey', Resource: PROVIDER('a') } };
    expect(decide([old], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('a'))).toBe('allow');
    const unversioned = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    expect(decide([unversioned], 'bedrock-agentcore:GetResourceApiKey', PROVIDER('a'))).toBe('allow');
  });
});
