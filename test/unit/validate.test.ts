import { describe, expect, it } from 'vitest';
import { validateShape } from '../../lib/contract/validate.js';
import { ValidationException } from '../../lib/errors.js';

function problems(shape: string, input: unknown) {
  try {
    validateShape(shape, input);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationException);
    return (error as ValidationException).fieldList!.map((f) => f.name);
  }
}

describe('validation against the contract', () => {
  it('accepts a valid request and ignores members it does not know', () => {
    expect(problems('CreateWorkloadIdentityRequest', { name: 'agent-1', futureField: true })).toEqual([]);
  });

  it('anchors patterns: a valid prefix does not make a valid value', () => {
    expect(problems('CreateWorkloadIdentityRequest', { name: 'agent$' })).toEqual(['name']);
  });

  it('checks unions, nested structures and enums', () => {
    expect(problems('CreateApiKeyCredentialProviderRequest', { name: 'p', apiKeySecretSource: 'ELSEWHERE' })).toEqual(['apiKeySecretSource']);
    expect(problems('CreateOauth2CredentialProviderRequest', { name: 'p', credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: {} })).toEqual([
      'oauth2ProviderConfigInput',
    ]);
    expect(
      problems('CreateOauth2CredentialProviderRequest', {
        name: 'p',
        credentialProviderVendor: 'GithubOauth2',
        oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 5 } },
      }),
    ).toEqual(['oauth2ProviderConfigInput.githubOauth2ProviderConfig.clientId']);
  });

  it('never echoes a value, even a secret one, in its messages', () => {
    const secret = 'sk-live-0123456789abcdef';
    try {
      validateShape('CreateApiKeyCredentialProviderRequest', { name: 'bad name', apiKey: secret.repeat(5000), tags: { team: secret + '#' } });
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify({ m: (error as Error).message, f: (error as ValidationException).fieldList })).not.toContain(secret);
    }
  });

  it('never reads a member from the prototype: Object.prototype names are unknown members, on every operation', async () => {
    const { operations } = await import('../../lib/contract/model.js');
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__']) {
      for (const op of Object.values(operations)) {
        const body = JSON.parse(`{"name":"x", ${JSON.stringify(name)}: 1}`);
        // Either the operation's own problems (a missing required member) or nothing: never a crash.
        expect(() => { try { validateShape(op.input, body); } catch (error) { if (!(error instanceof ValidationException)) throw error; } }).not.toThrow();
        expect(problems(op.input, body)).not.toContain(name);
      }
    }
    const valid = validateShape<Record<string, unknown>>('GetWorkloadIdentityRequest', JSON.parse('{"name":"agent-1","toString":1,"__proto__":{"x":1}}'));
    expect(Object.keys(valid)).toEqual(['name']);
    expect(Object.getPrototypeOf(valid)).toBe(Object.prototype);
  });

  it('keeps map keys named like prototype members as ordinary keys, in a null-prototype map', () => {
    const tags = JSON.parse('{"constructor":"a","__proto__":"b","toString":"c","hasOwnProperty":"d"}');
    const out = validateShape<{ tags: Record<string, string> }>('CreateWorkloadIdentityRequest', { name: 'agent-1', tags });
    expect(Object.getPrototypeOf(out.tags)).toBeNull();
    expect(Object.entries(out.tags)).toEqual([['constructor', 'a'], ['__proto__', 'b'], ['toString', 'c'], ['hasOwnProperty', 'd']]);
    expect(JSON.parse(JSON.stringify(out.tags))).toEqual(tags);
  });

  it('refuses a union with no known member, only unknown ones, or two', () => {
    const provider = (oauthDiscovery: unknown) => ({
      name: 'p',
      credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', oauthDiscovery } },
    });
    const at = 'oauth2ProviderConfigInput.customOauth2ProviderConfig.oauthDiscovery';
    expect(problems('CreateOauth2CredentialProviderRequest', provider({}))).toEqual([at]);
    expect(problems('CreateOauth2CredentialProviderRequest', provider({ x: 1 }))).toEqual([at]);
    expect(problems('CreateOauth2CredentialProviderRequest', provider({ toString: 1, constructor: {} }))).toEqual([at]);
    expect(problems('CreateOauth2CredentialProviderRequest', provider({ discoveryUrl: 'https://a.example/.well-known/openid-configuration', authorizationServerMetadata: { issuer: 'i', authorizationEndpoint: 'a', tokenEndpoint: 't' } }))).toEqual([at]);
    expect(problems('CreateOauth2CredentialProviderRequest', provider({ discoveryUrl: 'https://a.example/.well-known/openid-configuration', x: 1 }))).toEqual([]);
    expect(problems('CompleteResourceTokenAuthRequest', { sessionUri: 'urn:ietf:params:oauth:request_uri:x', userIdentifier: { valueOf: 'u' } })).toEqual(['userIdentifier']);
  });

  it('caps lists and strings the model leaves unbounded, naming the field', () => {
    const wat = 'a.b.c';
    const vend = (extra: object) => ({ workloadIdentityToken: wat, resourceCredentialProviderName: 'p', scopes: [], oauth2Flow: 'M2M', ...extra });
    expect(problems('GetResourceOauth2TokenRequest', vend({ scopes: Array.from({ length: 100 }, () => 's') }))).toEqual([]);
    expect(problems('GetResourceOauth2TokenRequest', vend({ scopes: Array.from({ length: 4000 }, () => 'x'.repeat(110)) }))).toEqual(['scopes']);
    expect(problems('GetResourceOauth2TokenRequest', vend({ audiences: Array(11).fill('a') }))).toEqual(['audiences']);
    expect(problems('GetResourceOauth2TokenRequest', vend({ resources: Array(11).fill('r') }))).toEqual(['resources']);
    expect(problems('GetResourceOauth2TokenRequest', vend({ customParameters: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }))).toEqual(['customParameters']);
    expect(problems('CreateWorkloadIdentityRequest', { name: 'agent-1', allowedResourceOauth2ReturnUrls: Array(21).fill('https://a.example/cb') })).toEqual(['allowedResourceOauth2ReturnUrls']);
    expect(problems('ListWorkloadIdentitiesRequest', { nextToken: 'x'.repeat(2049) })).toEqual(['nextToken']);
    const custom = (metadata: object) => ({
      name: 'p',
      credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c', clientSecret: 's', oauthDiscovery: { authorizationServerMetadata: { issuer: 'i', authorizationEndpoint: 'a', tokenEndpoint: 't', ...metadata } } } },
    });
    const meta = 'oauth2ProviderConfigInput.customOauth2ProviderConfig.oauthDiscovery.authorizationServerMetadata';
    expect(problems('CreateOauth2CredentialProviderRequest', custom({ issuer: 'https://x/' + 'a'.repeat(2048) }))).toEqual([`${meta}.issuer`]);
    expect(problems('CreateOauth2CredentialProviderRequest', custom({ responseTypes: Array(11).fill('code') }))).toEqual([`${meta}.responseTypes`]);
  });

  it('refuses an API key whose JSON form would not fit a Secrets Manager value', () => {
    expect(problems('CreateApiKeyCredentialProviderRequest', { name: 'p', apiKey: 'k'.repeat(64_000) })).toEqual([]);
    expect(problems('CreateApiKeyCredentialProviderRequest', { name: 'p', apiKey: 'k'.repeat(65_536) })).toEqual(['apiKey']);
    expect(problems('CreateApiKeyCredentialProviderRequest', { name: 'p', apiKey: '\u0001'.repeat(20_000) })).toEqual(['apiKey']);
  });

  it('refuses lone surrogates in any string, map key or map value, and accepts paired ones', () => {
    expect(problems('CreateWorkloadIdentityRequest', { name: 'agent-1', tags: { team: 'a\uD83D' } })).toEqual(['tags.team']);
    expect(problems('CreateWorkloadIdentityRequest', { name: 'agent-1', tags: { ['\uD800']: 'x' } })).toEqual(['tags.key']);
    expect(problems('CreateWorkloadIdentityRequest', { name: 'agent-1', tags: { team: 'x\uDC00' } })).toEqual(['tags.team']);
    expect(problems('GetWorkloadAccessTokenForUserIdRequest', { workloadName: 'agent-1', userId: 'user\uD800' })).toEqual(['userId']);
    expect(problems('GetWorkloadAccessTokenForUserIdRequest', { workloadName: 'agent-1', userId: 'user😀' })).toEqual([]);
    const issuer = { name: 'p', credentialProviderVendor: 'CustomOauth2', oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c\uDFFF', clientSecret: 's', oauthDiscovery: { discoveryUrl: 'https://a.example/.well-known/openid-configuration' } } } };
    expect(problems('CreateOauth2CredentialProviderRequest', issuer)).toEqual(['oauth2ProviderConfigInput.customOauth2ProviderConfig.clientId']);
  });

  it('counts length in code points and refuses a huge value without scanning it twice', () => {
    expect(problems('GetWorkloadAccessTokenForUserIdRequest', { workloadName: 'agent-1', userId: '😀'.repeat(128) })).toEqual([]);
    expect(problems('GetWorkloadAccessTokenForUserIdRequest', { workloadName: 'agent-1', userId: '😀'.repeat(129) })).toEqual(['userId']);
    expect(problems('GetWorkloadAccessTokenForUserIdRequest', { workloadName: 'agent-1', userId: 'u'.repeat(5_000_000) })).toEqual(['userId']);
  });

  it('answers non-object bodies, wrong types and nulls with validation errors', () => {
    for (const body of [null, [], 1, 'x', true]) expect(problems('GetWorkloadIdentityRequest', body)).toEqual(['body']);
    expect(problems('ListWorkloadIdentitiesRequest', { maxResults: 1e300 })).toEqual(['maxResults']);
    expect(problems('ListWorkloadIdentitiesRequest', { maxResults: 2.5 })).toEqual(['maxResults']);
    expect(problems('CreateWorkloadIdentityRequest', { name: 'agent-1', tags: { a: null } })).toEqual(['tags.a']);
    expect(problems('CreateWorkloadIdentityRequest', { name: 'agent-1', allowedResourceOauth2ReturnUrls: [null, 5] })).toEqual([
      'allowedResourceOauth2ReturnUrls.1',
      'allowedResourceOauth2ReturnUrls.2',
    ]);
  });
});

describe('storableText, for text that reaches storage from elsewhere than a request', () => {
  it('keeps valid Unicode within the length, and nothing else', async () => {
    const { storableText } = await import('../../lib/contract/validate.js');
    expect(storableText('https://idp.example.com')).toBe('https://idp.example.com');
    expect(storableText('😀'.repeat(2048))).toBe('😀'.repeat(2048));
    expect(storableText('a'.repeat(2049))).toBeUndefined();
    expect(storableText('x\uD800')).toBeUndefined();
    expect(storableText({ constructor: 1 })).toBeUndefined();
    expect(storableText('code', 3)).toBeUndefined();
  });
});
