import type { OAuth2ProviderRecord } from '../../lib/credential-providers/store.js';

/** An OAuth2 provider record as the control plane would have stored it for GitHub (no request is ever sent to these endpoints). */
export function githubProviderRecord(createdTime: number): OAuth2ProviderRecord {
  return {
    kind: 'oauth2', name: 'github', secretSource: 'MANAGED', secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x', jsonKey: 'clientSecret',
    tags: {}, createdTime, lastUpdatedTime: createdTime, version: 1, secretGeneration: 1,
    settings: {
      vendor: 'GithubOauth2',
      member: 'githubOauth2ProviderConfig',
      clientId: 'client',
      server: { authorizationEndpoint: 'https://github.com/login/oauth/authorize', tokenEndpoint: 'https://github.com/login/oauth/access_token' },
      clientAuthentication: 'client_secret_post',
    },
  };
}
