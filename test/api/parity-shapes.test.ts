import { describe, expect, it } from 'vitest';
import { buildRequest, membersReachable, membersSet, OMIT, shapeProblems } from '../setup/model-shapes.js';

/** The checker the parity tests rely on finds what it must, so a green parity run means something. */
describe('the contract walker of the parity tests', () => {
  it('finds an unknown member, a missing required one, a wrong type, a bad pattern and a union with two members, at any depth', () => {
    expect(shapeProblems('GetWorkloadIdentityResponse', { name: 'abc', workloadIdentityArn: 'x', createdTime: 1, lastUpdatedTime: 'soon', extra: 1, allowedResourceOauth2ReturnUrls: ['no url'] })).toEqual([
      '$.lastUpdatedTime (Timestamp): not epoch seconds',
      '$ (GetWorkloadIdentityResponse): member extra is not in the model',
      expect.stringMatching(/^\$\.allowedResourceOauth2ReturnUrls\[0\] \(ResourceOauth2ReturnUrlType\): does not match/),
    ]);
    expect(shapeProblems('Oauth2ProviderConfigOutput', { githubOauth2ProviderConfig: { oauthDiscovery: { discoveryUrl: 'https://x/.well-known/openid-configuration', more: 1 } }, slackOauth2ProviderConfig: {} })).toEqual([
      '$.githubOauth2ProviderConfig.oauthDiscovery (Oauth2Discovery): member more is not in the model',
      '$.githubOauth2ProviderConfig.oauthDiscovery (Oauth2Discovery): a union must set exactly one member, not 2',
      '$.slackOauth2ProviderConfig (SlackOauth2ProviderConfigOutput): required member oauthDiscovery is missing',
      '$ (Oauth2ProviderConfigOutput): a union must set exactly one member, not 2',
    ]);
    expect(shapeProblems('GetTokenVaultResponse', { tokenVaultId: 'default', kmsConfiguration: { keyType: 'SomeKey' }, lastModifiedDate: 1 })).toEqual([
      '$.kmsConfiguration.keyType (KeyType): "SomeKey" is not one of CustomerManagedKey, ServiceManagedKey',
    ]);
  });

  it('builds a request with every member set but those left out, and asks for a value where no sample fits', () => {
    const request = buildRequest('GetResourceOauth2TokenRequest', { resourceOauth2ReturnUrl: 'https://app.example.com/done', sessionUri: OMIT }) as Record<string, unknown>;
    expect(Object.keys(request).sort()).toEqual(['audiences', 'customParameters', 'customState', 'forceAuthentication', 'oauth2Flow', 'resourceCredentialProviderName', 'resourceOauth2ReturnUrl', 'resources', 'scopes', 'workloadIdentityToken']);
    expect(shapeProblems('GetResourceOauth2TokenRequest', request)).toEqual([]);
    const reachable = membersReachable('GetResourceOauth2TokenRequest');
    expect([...reachable].filter((m) => !membersSet('GetResourceOauth2TokenRequest', request).has(m))).toEqual(['GetResourceOauth2TokenRequest.sessionUri']);
    expect(() => buildRequest('GetResourceOauth2TokenRequest', {})).toThrow(/pick a value for resourceOauth2ReturnUrl/);
    expect(() => buildRequest('CompleteResourceTokenAuthRequest', { sessionUri: 'urn:ietf:params:oauth:request_uri:x' })).toThrow(/exactly one member of the union at userIdentifier/);
  });
});
