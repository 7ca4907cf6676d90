import { generateKeyPairSync, sign as signWith } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialProviderRecord } from '../../lib/credential-providers/store.js';
import type { OAuth2Settings } from '../../lib/credential-providers/oauth2-providers.js';
import { revokeAtProvider } from '../../lib/consent-portals/revocation.js';
import { CLIENT_ASSERTION_TYPE } from '../../lib/oauth2/client-assertion.js';
import { vendorOf } from '../../lib/oauth2/vendors.js';

/**
 * Disconnect's revocation (RFC 7009) in process against a loopback authorization server: the
 * endpoint comes from the provider's metadata, the client authenticates as at its token endpoint
 * (a secret, or a KMS-signed assertion for PRIVATE_KEY_JWT), and what was not possible is said.
 */
let server: Server;
let base = '';
const received: { authorization?: string; form: URLSearchParams }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`, revocation_endpoint: `${base}/revoke` }));
        return;
      }
      if (req.url === '/revoke' && req.method === 'POST') {
        received.push({ authorization: req.headers.authorization, form: new URLSearchParams(body) });
        res.writeHead(200);
        res.end();
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function provider(settings: Partial<OAuth2Settings>): CredentialProviderRecord {
  const full: OAuth2Settings = {
    vendor: 'CustomOauth2',
    member: 'customOauth2ProviderConfig',
    clientId: 'portal-client',
    clientAuthentication: 'client_secret_basic',
    server: { issuer: base, authorizationEndpoint: `${base}/authorize`, tokenEndpoint: `${base}/token` },
    discoveryUrl: `${base}/.well-known/openid-configuration`,
    ...settings,
  };
  return { kind: 'oauth2', name: 'calendar', secretSource: 'MANAGED', secretArn: 'arn', jsonKey: 'clientSecret', tags: {}, createdTime: 1, lastUpdatedTime: 1, version: 1, secretGeneration: 0, settings: full };
}

const fetchJson = async (url: string) => (await fetch(url)).json() as Promise<Record<string, unknown>>;
const secrets = { credential: async () => 'the-client-secret' } as never;
const noSigning = async () => {
  throw new Error('a client-secret provider signs nothing');
};

describe('revocation at the provider when a user disconnects', () => {
  it('sends the refresh token to the revocation endpoint the metadata names, with Basic client authentication', async () => {
    received.length = 0;
    const outcome = await revokeAtProvider(provider({}), { accessToken: 'at', refreshToken: 'rt' }, { secrets, sign: noSigning, fetchJson });
    expect(outcome).toBe('revoked');
    expect(received).toHaveLength(1);
    expect(received[0]!.form.get('token')).toBe('rt');
    expect(received[0]!.form.get('token_type_hint')).toBe('refresh_token');
    expect(received[0]!.authorization).toBe(`Basic ${Buffer.from('portal-client:the-client-secret').toString('base64')}`);
  });

  it('authenticates a PRIVATE_KEY_JWT client with a fresh assertion and no secret', async () => {
    received.length = 0;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signed: string[] = [];
    const sign = async (keyArn: string, _algorithm: string, toSign: { message: Buffer } | { digest: Buffer }) => {
      signed.push(keyArn);
      return signWith('sha256', 'message' in toSign ? toSign.message : toSign.digest, privateKey);
    };
    const record = provider({ clientAuthentication: 'private_key_jwt', privateKeyJwt: { kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k', signingAlgorithm: 'RS256', kid: 'kid-1' } });
    const outcome = await revokeAtProvider(record, { accessToken: 'only-an-access-token' }, { secrets: { credential: async () => ({ problem: 'unavailable' }) } as never, sign, fetchJson });
    expect(outcome).toBe('revoked');
    expect(signed).toEqual(['arn:aws:kms:us-east-1:123456789012:key/k']);
    const form = received[0]!.form;
    expect(received[0]!.authorization).toBeUndefined();
    expect(form.get('client_id')).toBe('portal-client');
    expect(form.get('client_assertion_type')).toBe(CLIENT_ASSERTION_TYPE);
    expect(form.get('client_assertion')!.split('.')).toHaveLength(3);
    expect(form.get('token_type_hint')).toBe('access_token');
    expect(form.has('client_secret')).toBe(false);
  });

  it('says not-supported when neither metadata nor catalogue name an endpoint, and failed when the secret cannot be read', async () => {
    const bare = provider({ discoveryUrl: undefined, server: { issuer: `${base}/nothing`, authorizationEndpoint: `${base}/authorize`, tokenEndpoint: `${base}/token` } });
    expect(await revokeAtProvider(bare, { accessToken: 'at' }, { secrets, sign: noSigning, fetchJson })).toBe('not-supported');
    expect(await revokeAtProvider(provider({}), { accessToken: 'at' }, { secrets: { credential: async () => ({ problem: 'unavailable' }) } as never, sign: noSigning, fetchJson })).toBe('failed');
  });

  it('knows the revocation endpoints its catalogue declares (for vendors without discovery metadata, and ahead of it)', () => {
    expect(vendorOf('GoogleOauth2').revocationEndpoint).toBe('https://oauth2.googleapis.com/revoke');
    expect(vendorOf('SalesforceOauth2').revocationEndpoint).toBe('https://login.salesforce.com/services/oauth2/revoke');
    expect(vendorOf('RedditOauth2').revocationEndpoint).toBe('https://www.reddit.com/api/v1/revoke_token');
    expect(vendorOf('ZoomOauth2').revocationEndpoint).toBe('https://zoom.us/oauth/revoke');
    expect(vendorOf('GithubOauth2').revocationEndpoint).toBeUndefined();
  });
});
