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
});
