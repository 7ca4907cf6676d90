import { describe, expect, it } from 'vitest';
import { evaluate, type AuthorizationRequest } from '../../lib/authorization/evaluate.js';

/**
 * Condition blocks as IAM's documentation describes them: AND across operators and keys, OR
 * across a key's values, negated operators true on an absent key, IfExists, ForAnyValue and
 * ForAllValues on multivalued keys (absent and empty), and the unknown (operator not understood,
 * key not knowable) failing closed.
 */

const RESOURCE = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/github';
const ACTION = 'bedrock-agentcore:GetResourceApiKey';
const KNOWN = ['aws:ResourceTag/*', 'aws:RequestTag/*', 'aws:PrincipalTag/*', 'aws:TagKeys', 'aws:PrincipalArn', 'aws:PrincipalAccount', 'aws:SecureTransport'];

type Context = AuthorizationRequest['context'];

function statement(effect: 'Allow' | 'Deny', condition: Record<string, unknown>): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: [{ Sid: `${effect}Conditional`, Effect: effect, Action: '*', Resource: '*', Condition: condition }] };
}

/** Whether an Allow statement with this condition allows the request. */
function allows(condition: Record<string, unknown>, context: Context, knownKeys: string[] = KNOWN): boolean {
  return evaluate([statement('Allow', condition)], { action: ACTION, resource: RESOURCE, context, knownKeys }).decision === 'allow';
}

/** Whether a Deny statement with this condition, beside an Allow of everything, denies. */
function denies(condition: Record<string, unknown>, context: Context, knownKeys: string[] = KNOWN): boolean {
  const everything = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } };
  return evaluate([everything, statement('Deny', condition)], { action: ACTION, resource: RESOURCE, context, knownKeys }).decision === 'deny';
}

describe('string operators', () => {
  it('StringEquals: exact, case-sensitive values, OR across values', () => {
    const condition = { StringEquals: { 'aws:ResourceTag/team': ['orders', 'billing'] } };
    expect(allows(condition, { 'aws:ResourceTag/team': 'orders' })).toBe(true);
    expect(allows(condition, { 'aws:ResourceTag/team': 'billing' })).toBe(true);
    expect(allows(condition, { 'aws:ResourceTag/team': 'Orders' })).toBe(false);
    expect(allows(condition, { 'aws:ResourceTag/team': 'orders*' })).toBe(false);
    expect(allows(condition, {})).toBe(false);
  });

  it('compares key names without case', () => {
    expect(allows({ StringEquals: { 'AWS:RESOURCETAG/Team': 'orders' } }, { 'aws:ResourceTag/team': 'orders' })).toBe(true);
  });

  it('StringNotEquals: none of the values, and true when the key is absent', () => {
    const condition = { StringNotEquals: { 'aws:PrincipalTag/team': ['orders', 'billing'] } };
    expect(allows(condition, { 'aws:PrincipalTag/team': 'search' })).toBe(true);
    expect(allows(condition, { 'aws:PrincipalTag/team': 'orders' })).toBe(false);
    expect(allows(condition, {})).toBe(true);
  });

  it('StringEqualsIgnoreCase folds case on both sides', () => {
    expect(allows({ StringEqualsIgnoreCase: { 'aws:ResourceTag/env': 'PROD' } }, { 'aws:ResourceTag/env': 'prod' })).toBe(true);
    expect(allows({ StringEqualsIgnoreCase: { 'aws:ResourceTag/env': 'PROD' } }, { 'aws:ResourceTag/env': 'pre' })).toBe(false);
    expect(allows({ StringNotEqualsIgnoreCase: { 'aws:ResourceTag/env': 'PROD' } }, { 'aws:ResourceTag/env': 'Prod' })).toBe(false);
  });

  it('StringLike and StringNotLike: * and ? wildcards, case-sensitive', () => {
    const like = { StringLike: { 'aws:RequestTag/project': ['agent-*', 'x?z'] } };
    expect(allows(like, { 'aws:RequestTag/project': 'agent-orders' })).toBe(true);
    expect(allows(like, { 'aws:RequestTag/project': 'xyz' })).toBe(true);
    expect(allows(like, { 'aws:RequestTag/project': 'Agent-orders' })).toBe(false);
    expect(allows(like, { 'aws:RequestTag/project': 'xz' })).toBe(false);
    const notLike = { StringNotLike: { 'aws:RequestTag/project': 'agent-*' } };
    expect(allows(notLike, { 'aws:RequestTag/project': 'agent-orders' })).toBe(false);
    expect(allows(notLike, { 'aws:RequestTag/project': 'tool' })).toBe(true);
    expect(allows(notLike, {})).toBe(true);
  });
});

describe('ARN operators', () => {
  const role = 'arn:aws:iam::123456789012:role/gateway-orders';
  it('ArnLike and ArnEquals: wildcards within each of the six parts', () => {
    for (const operator of ['ArnLike', 'ArnEquals']) {
      expect(allows({ [operator]: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/gateway-*' } }, { 'aws:PrincipalArn': role })).toBe(true);
      expect(allows({ [operator]: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/other' } }, { 'aws:PrincipalArn': role })).toBe(false);
      // A * in the account part does not reach across the colons into the resource part.
      expect(allows({ [operator]: { 'aws:PrincipalArn': 'arn:aws:iam::*:b' } }, { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/a:b' })).toBe(false);
      expect(allows({ [operator]: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/gateway-orders' } }, { 'aws:PrincipalArn': 'not-an-arn' })).toBe(false);
    }
    expect(allows({ StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:b' } }, { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/a:b' })).toBe(true);
    // A pattern that is not ARN-shaped is matched against the whole value.
    expect(allows({ ArnLike: { 'aws:PrincipalArn': '*' } }, { 'aws:PrincipalArn': role })).toBe(true);
    expect(allows({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/path/*' } }, { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/path/a:b' })).toBe(true);
  });

  it('ArnNotLike and ArnNotEquals: none of the values, true when absent', () => {
    for (const operator of ['ArnNotLike', 'ArnNotEquals']) {
      expect(allows({ [operator]: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/gateway-*' } }, { 'aws:PrincipalArn': role })).toBe(false);
      expect(allows({ [operator]: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } }, { 'aws:PrincipalArn': role })).toBe(true);
      expect(allows({ [operator]: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } }, {})).toBe(true);
    }
  });
});

describe('Null and Bool', () => {
  it('Null: true asks for an absent key, false for a present one', () => {
    expect(allows({ Null: { 'aws:RequestTag/team': 'true' } }, {})).toBe(true);
    expect(allows({ Null: { 'aws:RequestTag/team': 'true' } }, { 'aws:RequestTag/team': 'a' })).toBe(false);
    expect(allows({ Null: { 'aws:RequestTag/team': false } }, { 'aws:RequestTag/team': 'a' })).toBe(true);
    expect(allows({ Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] })).toBe(true);
    expect(allows({ Null: { 'aws:RequestTag/team': 'maybe' } }, {})).toBe(false);
  });

  it('Bool: true or false, absent is false', () => {
    expect(allows({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'true' })).toBe(true);
    expect(allows({ Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'false' })).toBe(false);
    expect(allows({ Bool: { 'aws:SecureTransport': 'true' } }, {})).toBe(false);
    expect(allows({ BoolIfExists: { 'aws:SecureTransport': 'true' } }, {})).toBe(true);
  });
});

describe('AND and OR', () => {
  it('needs every operator and every key to hold', () => {
    const condition = { StringEquals: { 'aws:ResourceTag/team': 'orders', 'aws:PrincipalTag/team': 'orders' }, StringLike: { 'aws:PrincipalArn': '*:role/*' } };
    const context = { 'aws:ResourceTag/team': 'orders', 'aws:PrincipalTag/team': 'orders', 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/r' };
    expect(allows(condition, context)).toBe(true);
    expect(allows(condition, { ...context, 'aws:PrincipalTag/team': 'billing' })).toBe(false);
    expect(allows(condition, { ...context, 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/u' })).toBe(false);
  });

  it('matches a resource tag to the principal tag through a policy variable', () => {
    const condition = { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } };
    expect(allows(condition, { 'aws:ResourceTag/team': 'orders', 'aws:PrincipalTag/team': 'orders' })).toBe(true);
    expect(allows(condition, { 'aws:ResourceTag/team': 'orders', 'aws:PrincipalTag/team': 'billing' })).toBe(false);
    // The variable's key absent and no default: nothing matches.
    expect(allows(condition, { 'aws:ResourceTag/team': 'orders' })).toBe(false);
  });
});

describe('IfExists', () => {
  it('is true when the key is absent, and the operator otherwise', () => {
    const condition = { StringEqualsIfExists: { 'aws:ResourceTag/team': 'orders' } };
    expect(allows(condition, {})).toBe(true);
    expect(allows(condition, { 'aws:ResourceTag/team': 'orders' })).toBe(true);
    expect(allows(condition, { 'aws:ResourceTag/team': 'billing' })).toBe(false);
    expect(allows({ ArnLikeIfExists: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } }, {})).toBe(true);
    expect(allows({ StringNotLikeIfExists: { 'aws:ResourceTag/team': 'ord*' } }, { 'aws:ResourceTag/team': 'orders' })).toBe(false);
  });
});

describe('ForAnyValue and ForAllValues on aws:TagKeys', () => {
  const anyValue = { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team', 'env'] } };
  const allValues = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } };

  it('ForAnyValue: some request value is among the policy values', () => {
    expect(allows(anyValue, { 'aws:TagKeys': ['team', 'owner'] })).toBe(true);
    expect(allows(anyValue, { 'aws:TagKeys': ['owner'] })).toBe(false);
  });

  it('ForAnyValue: false on an empty or absent key, unless IfExists', () => {
    expect(allows(anyValue, { 'aws:TagKeys': [] })).toBe(false);
    expect(allows(anyValue, {})).toBe(false);
    expect(allows({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'team' } }, {})).toBe(true);
  });

  it('ForAllValues: every request value is among the policy values', () => {
    expect(allows(allValues, { 'aws:TagKeys': ['team', 'env'] })).toBe(true);
    expect(allows(allValues, { 'aws:TagKeys': ['team'] })).toBe(true);
    expect(allows(allValues, { 'aws:TagKeys': ['team', 'owner'] })).toBe(false);
  });

  it('ForAllValues: true on an empty or absent key (IAM documents the pitfall)', () => {
    expect(allows(allValues, { 'aws:TagKeys': [] })).toBe(true);
    expect(allows(allValues, {})).toBe(true);
    // Hence the documented pairing with Null to require that tags are sent.
    expect(allows({ ...allValues, Null: { 'aws:TagKeys': 'false' } }, {})).toBe(false);
  });

  it('negated operators under a qualifier test each request value', () => {
    const forbidden = { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['team'] } };
    expect(allows(forbidden, { 'aws:TagKeys': ['team'] })).toBe(false);
    expect(allows(forbidden, { 'aws:TagKeys': ['team', 'env'] })).toBe(true);
    const none = { 'ForAllValues:StringNotLike': { 'aws:TagKeys': ['aws:*'] } };
    expect(allows(none, { 'aws:TagKeys': ['team', 'env'] })).toBe(true);
    expect(allows(none, { 'aws:TagKeys': ['team', 'aws:x'] })).toBe(false);
  });

  it('without a qualifier, a multivalued key matches when any value does', () => {
    expect(allows({ StringLike: { 'aws:TagKeys': 'te*' } }, { 'aws:TagKeys': ['env', 'team'] })).toBe(true);
    expect(allows({ StringNotEquals: { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': ['env', 'team'] })).toBe(false);
  });

  it('a Deny with ForAnyValue on request tags stops a forbidden tag key', () => {
    const condition = { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'owner*' } };
    expect(denies(condition, { 'aws:TagKeys': ['team', 'owner-x'] })).toBe(true);
    expect(denies(condition, { 'aws:TagKeys': ['team'] })).toBe(false);
    expect(denies(condition, {})).toBe(false);
  });
});

describe('what the evaluator cannot know fails closed', () => {
  const unknownOperator = { NumericLessThanEqualsSomething: { 'aws:ResourceTag/team': '1' } };
  const sessionTag = { StringEquals: { 'aws:PrincipalTag/team': 'orders' } };
  // Session tags are not knowable here: aws:PrincipalTag/* is left out of the known keys.
  const noPrincipalTags = KNOWN.filter((k) => k !== 'aws:PrincipalTag/*');

  it('an unknown operator: an Allow does not allow, a Deny denies, with the reason', () => {
    expect(allows(unknownOperator, { 'aws:ResourceTag/team': '1' })).toBe(false);
    expect(denies(unknownOperator, { 'aws:ResourceTag/team': '1' })).toBe(true);
    const everything = { Statement: { Effect: 'Allow', Action: '*', Resource: '*' } };
    const decision = evaluate([everything, statement('Deny', unknownOperator)], { action: ACTION, resource: RESOURCE, context: {}, knownKeys: KNOWN });
    expect(decision).toMatchObject({ decision: 'deny', reason: 'unknown-deny', matched: ['policy 1/DenyConditional'] });
    expect(decision.unknowns.join()).toMatch(/operator NumericLessThanEqualsSomething is not understood/);
  });

  it('an unknown key: an Allow does not allow, a Deny denies, with the reason', () => {
    expect(allows(sessionTag, { 'aws:PrincipalTag/team': 'orders' }, noPrincipalTags)).toBe(false);
    expect(denies(sessionTag, {}, noPrincipalTags)).toBe(true);
    expect(denies({ StringEqualsIfExists: { 'aws:PrincipalTag/team': 'x' } }, {}, noPrincipalTags)).toBe(true);
    expect(denies({ Null: { 'aws:PrincipalTag/team': 'true' } }, {}, noPrincipalTags)).toBe(true);
    const decision = evaluate([statement('Allow', sessionTag)], { action: ACTION, resource: RESOURCE, context: {}, knownKeys: noPrincipalTags });
    expect(decision).toMatchObject({ decision: 'deny', reason: 'implicit-deny' });
    expect(decision.unknowns.join()).toMatch(/key aws:PrincipalTag\/team is not known/);
  });

  it('without knownKeys, only the keys given are known', () => {
    const decision = evaluate([statement('Allow', sessionTag)], { action: ACTION, resource: RESOURCE, context: { 'aws:ResourceTag/team': 'orders' } });
    expect(decision.decision).toBe('deny');
    expect(decision.unknowns).toHaveLength(1);
    expect(evaluate([statement('Allow', sessionTag)], { action: ACTION, resource: RESOURCE, context: { 'aws:PrincipalTag/team': 'orders' } }).decision).toBe('allow');
  });

  it('a condition that surely fails settles the statement, whatever else is unknown', () => {
    const condition = { StringEquals: { 'aws:ResourceTag/team': 'orders' }, Unheard: { 'aws:ResourceTag/team': 'x' } };
    expect(denies(condition, { 'aws:ResourceTag/team': 'billing' })).toBe(false);
    expect(denies(condition, { 'aws:ResourceTag/team': 'orders' })).toBe(true);
  });

  it('an operator is not guessed from a near spelling or a bad qualifier', () => {
    expect(allows({ stringequals: { 'aws:ResourceTag/team': 'orders' } }, { 'aws:ResourceTag/team': 'orders' })).toBe(false);
    expect(allows({ 'ForSomeValues:StringEquals': { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': ['team'] })).toBe(false);
    expect(allows({ NullIfExists: { 'aws:TagKeys': 'true' } }, {})).toBe(false);
    expect(allows({ toString: { 'aws:TagKeys': 'true' } }, {})).toBe(false);
  });
});
