import { describe, expect, it } from 'vitest';
import { evaluate, type AuthorizationRequest, type PolicyDocument } from '../../lib/authorization/evaluate.js';
import { isMalformed, parsePolicy } from '../../lib/authorization/policy-document.js';
import { globMatches, globOf } from '../../lib/authorization/wildcard.js';

/**
 * Documents as IAM stores them (URL-encoded JSON), malformed and hostile ones (refused, never a
 * throw, bounded work), and policy variables.
 */

const RESOURCE = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/github';
const ACTION = 'bedrock-agentcore:GetResourceApiKey';
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function request(context: AuthorizationRequest['context'] = {}, knownKeys?: string[]): AuthorizationRequest {
  return { action: ACTION, resource: RESOURCE, context, ...(knownKeys ? { knownKeys } : {}) };
}

describe('documents as IAM returns them', () => {
  it('reads URL-encoded JSON, as GetRolePolicy and GetPolicyVersion return it', () => {
    const encoded = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: ACTION, Resource: RESOURCE } }));
    expect(encoded.startsWith('%7B')).toBe(true);
    expect(evaluate([encoded], request()).decision).toBe('allow');
  });

  it('reads plain JSON text, even with % in it', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'pct', Effect: 'Allow', Action: ACTION, Resource: 'arn:aws:bedrock-agentcore:*:100%' }] });
    const decision = evaluate([text], request());
    expect(decision).toMatchObject({ decision: 'deny', reason: 'implicit-deny' });
  });
});

describe('malformed documents deny, with the reason', () => {
  const cases: [string, unknown][] = [
    ['not JSON', '{"Version": '],
    ['bad URL encoding', '%7B%ZZ'],
    ['an array', [ALLOW_ALL]],
    ['null', null],
    ['a number', 42],
    ['an unknown version', { ...ALLOW_ALL, Version: '2020-01-01' }],
    ['no Statement', { Version: '2012-10-17' }],
    ['a string Statement', { Version: '2012-10-17', Statement: 'Allow' }],
    ['a bad Effect', { Statement: { Effect: 'allow', Action: '*', Resource: '*' } }],
    ['no Action', { Statement: { Effect: 'Allow', Resource: '*' } }],
    ['Action and NotAction', { Statement: { Effect: 'Allow', Action: '*', NotAction: 's3:*', Resource: '*' } }],
    ['no Resource', { Statement: { Effect: 'Allow', Action: '*' } }],
    ['an empty Action list', { Statement: { Effect: 'Allow', Action: [], Resource: '*' } }],
    ['a number in Resource', { Statement: { Effect: 'Allow', Action: '*', Resource: [1] } }],
    ['a Principal', { Statement: { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' } }],
    ['an unknown field', { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Extra: 1 } }],
    ['a Condition list', { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: [] } }],
    ['an empty operator block', { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: {} } } }],
    ['an object condition value', { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:TagKeys': { a: 1 } } } } }],
    ['an empty condition value list', { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:TagKeys': [] } } } }],
    ['a numeric Sid', { Statement: { Sid: 1, Effect: 'Allow', Action: '*', Resource: '*' } }],
    ['too long', JSON.stringify({ ...ALLOW_ALL, Id: 'x'.repeat(200_000) })],
  ];

  it.each(cases)('refuses %s, and denies even beside an Allow of everything', (_name, document) => {
    expect(isMalformed(parsePolicy(document))).toBe(true);
    const decision = evaluate([ALLOW_ALL, document as PolicyDocument], request());
    expect(decision.decision).toBe('deny');
    expect(decision.reason).toBe('malformed-policy');
    expect(decision.unknowns[0]).toMatch(/^policy 1: /);
  });

  it('never throws on hostile objects', () => {
    const throwing = new Proxy({}, { ownKeys: () => { throw new Error('boom'); }, get: () => { throw new Error('boom'); } });
    const statements = { Statement: { get Effect(): string { throw new Error('boom'); }, Action: '*', Resource: '*' } };
    const deep = '['.repeat(60_000) + ']'.repeat(60_000);
    const protoOperator = '{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"__proto__":{"StringEquals":"x"}}}}';
    for (const document of [throwing, statements, deep]) {
      expect(() => parsePolicy(document)).not.toThrow();
      expect(evaluate([ALLOW_ALL, document as PolicyDocument], request()).decision).toBe('deny');
    }
    // "__proto__" read from JSON is an operator name like any other: not understood, so no Allow.
    expect(evaluate([protoOperator], request({ StringEquals: 'x' }))).toMatchObject({ decision: 'deny', reason: 'implicit-deny' });
  });

  it('never throws on hostile requests', () => {
    const weird = { action: 'constructor', resource: '__proto__', context: { toString: ['x'], __proto__: 'y' } } as unknown as AuthorizationRequest;
    expect(() => evaluate([ALLOW_ALL], weird)).not.toThrow();
    // A context value of the wrong type makes its key unknown: a Deny on it denies.
    const deny = { Version: '2012-10-17', Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:ResourceTag/team': 'orders' } } } };
    const broken = { 'aws:ResourceTag/team': 7 } as unknown as AuthorizationRequest['context'];
    expect(evaluate([ALLOW_ALL, deny], request(broken, ['aws:ResourceTag/*']))).toMatchObject({ decision: 'deny', reason: 'unknown-deny' });
  });

  it('keeps only letters and digits of a Sid in the ids it reports', () => {
    const policy = { Version: '2012-10-17', Statement: { Sid: 'a\nb c', Effect: 'Allow', Action: '*', Resource: '*' } };
    expect(evaluate([policy], request()).matched).toEqual(['policy 0/a_b_c']);
  });
});

describe('hostile patterns: bounded work', () => {
  it('matches *a*a*a*...b against a long run of a without blowing up', () => {
    const pattern = '*a'.repeat(5_000) + 'b';
    const text = 'a'.repeat(10_000);
    const glob = globOf(pattern);
    expect(globMatches(glob, text)).toBe(false);
    expect(globMatches(globOf('*a'.repeat(50) + '*'), text)).toBe(true);
    expect(globMatches(globOf('*?'.repeat(30) + 'b'), 'a'.repeat(2048))).toBe(false);
    // A middle segment that nearly fits everywhere: text length times segment length, once.
    expect(globMatches(globOf(`*${'a'.repeat(1_000)}b*`), 'a'.repeat(10_000))).toBe(false);
    expect(globMatches(globOf(`*${'?a'.repeat(500)}*b`), 'a'.repeat(10_000))).toBe(false);
    // No timing assertion: a backtracking matcher would not return from the first call at all.
  });

  it('evaluates a policy of hostile resource and condition patterns, and denies', () => {
    const hostile = '*a'.repeat(2_000) + 'b';
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*a*a*a*a*a*a*a*a*a*a*a*b', Resource: hostile, Condition: { StringLike: { 'aws:ResourceTag/x': hostile } } }] };
    const decision = evaluate([policy], { action: 'a'.repeat(3000), resource: 'a'.repeat(3000), context: { 'aws:ResourceTag/x': 'a'.repeat(3000) } });
    expect(decision.decision).toBe('deny');
  });

  it('treats regular expression characters in patterns as literal', () => {
    expect(globMatches(globOf('a.c'), 'abc')).toBe(false);
    expect(globMatches(globOf('(a+)+$'), '(a+)+$')).toBe(true);
    expect(globMatches(globOf('[ab]'), 'a')).toBe(false);
    expect(globMatches(globOf('😀?x'), '😀😀x')).toBe(true);
  });

  it('anchors both ends', () => {
    expect(globMatches(globOf('abc'), 'abcd')).toBe(false);
    expect(globMatches(globOf('a*c'), 'abcc')).toBe(true);
    expect(globMatches(globOf('a*c'), 'ac')).toBe(true);
    expect(globMatches(globOf('a*b*c'), 'abc')).toBe(true);
    expect(globMatches(globOf('a*b*c'), 'acb')).toBe(false);
    expect(globMatches(globOf('*'), '')).toBe(true);
    expect(globMatches(globOf(''), '')).toBe(true);
    expect(globMatches(globOf('?'), '')).toBe(false);
  });
});

describe('policy variables', () => {
  const known = ['aws:username', 'aws:PrincipalTag/*', 'aws:ResourceTag/*'];
  const provider = (name: string): string => `arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/${name}`;
  function resourcePolicy(resource: string, version = '2012-10-17'): Record<string, unknown> {
    return { Version: version, Statement: { Effect: 'Allow', Action: ACTION, Resource: resource } };
  }

  it('resolves a known variable in a Resource', () => {
    const policy = resourcePolicy(provider('${aws:username}-*'));
    expect(evaluate([policy], { ...request({ 'aws:username': 'github' }, known), resource: provider('github-ci') }).decision).toBe('allow');
    expect(evaluate([policy], { ...request({ 'aws:username': 'alice' }, known), resource: provider('github-ci') }).decision).toBe('deny');
  });

  it('reads a variable value as literal text, never as a wildcard', () => {
    const policy = resourcePolicy(provider('${aws:username}'));
    expect(evaluate([policy], { ...request({ 'aws:username': '*' }, known), resource: provider('github') }).decision).toBe('deny');
    expect(evaluate([resourcePolicy(provider('a${*}'))], { ...request({}, known), resource: provider('a*') }).decision).toBe('allow');
    expect(evaluate([resourcePolicy(provider('a${*}'))], { ...request({}, known), resource: provider('ab') }).decision).toBe('deny');
  });

  it('uses the default when the key is absent, and matches nothing without one', () => {
    const withDefault = resourcePolicy(provider("${aws:PrincipalTag/provider, 'github'}"));
    expect(evaluate([withDefault], request({}, known)).decision).toBe('allow');
    expect(evaluate([resourcePolicy(provider('${aws:PrincipalTag/provider}'))], request({}, known)).decision).toBe('deny');
  });

  it('is unknown when its key is not knowable: an Allow does not allow, a Deny denies', () => {
    const allow = resourcePolicy(provider('${aws:userid}'));
    const decision = evaluate([allow], request({ 'aws:userid': 'github' }, known));
    expect(decision.decision).toBe('deny');
    expect(decision.unknowns.join()).toMatch(/policy variable \$\{aws:userid\} is not known/);
    const deny = { Version: '2012-10-17', Statement: { Effect: 'Deny', Action: '*', Resource: provider('${aws:userid}') } };
    expect(evaluate([ALLOW_ALL, deny], request({}, known))).toMatchObject({ decision: 'deny', reason: 'unknown-deny' });
  });

  it('is literal text in a 2008-10-17 document', () => {
    expect(evaluate([resourcePolicy(provider('${aws:username}'), '2008-10-17')], { ...request({ 'aws:username': 'github' }, known), resource: provider('${aws:username}') }).decision).toBe('allow');
    expect(evaluate([resourcePolicy(provider('${aws:username}'), '2008-10-17')], request({ 'aws:username': 'github' }, known)).decision).toBe('deny');
  });
});
