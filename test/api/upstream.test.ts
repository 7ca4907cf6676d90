import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CreateOauth2CredentialProviderCommand, CreateWorkloadIdentityCommand, GetOauth2CredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import {
  CompleteResourceTokenAuthCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenForJWTCommand,
  GetWorkloadAccessTokenForUserIdCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { CLIENTS, consentInBrowser } from '../setup/authorization-server.js';
import { controlClient, createCustomOauth2Provider, dataClient, failure, rememberSecret, secretValue, stack, uniqueName } from '../setup/clients.js';
import { signJwt } from '../setup/jwt-issuer.js';
import { startMisbehavingServer, type MisbehavingServer } from '../setup/misbehaving-server.js';
import { machineVend, misbehavingProvider } from './misbehaving-provider.js';

/**
 * The upstream rules through the official clients against the offline stack: an authorization
 * server that misbehaves ends every vend with a documented AgentCore error (never a raw Lambda
 * error, a 200 with an error body, or a stack trace), and nothing the service sent comes back.
 */
const control = controlClient();
const data = dataClient();
const idp = inject('userTokenIssuer');
const as = inject('authorizationServer');
const CALLBACK = `${stack.url}/identities/oauth2/callback`;
const RETURN_URL = 'https://app.example.com/oauth/done';

let server: MisbehavingServer;
beforeAll(async () => {
  server = await startMisbehavingServer();
});
afterAll(async () => {
  await server.stop();
});

const providerAt = (tokenEndpoint: string, clientSecret: string, method?: 'CLIENT_SECRET_BASIC' | 'CLIENT_SECRET_POST') => misbehavingProvider(server, tokenEndpoint, clientSecret, method);

describe('an M2M vend against a misbehaving authorization server', () => {
  it('never repeats the client secret or its Basic header that an echoing server put in its error', async () => {
    for (const method of ['CLIENT_SECRET_BASIC', 'CLIENT_SECRET_POST'] as const) {
      const secret = secretValue('echoed-client-secret');
      const error = await machineVend(await providerAt(`${server.base}/echo`, secret, method));
      expect(error.name).toBe('AccessDeniedException');
      expect(error.$metadata.httpStatusCode).toBe(403);
      expect(error.message).toContain('invalid_client');
      const basic = Buffer.from(`bad-idp-client:${secret}`).toString('base64');
      const said = JSON.stringify(error);
      for (const leaked of [secret, encodeURIComponent(secret), basic, basic.slice(0, 24)]) expect(said).not.toContain(leaked);
      // The server did see the secret: the echo was real.
      expect(JSON.stringify(server.requests.at(-1))).toMatch(method === 'CLIENT_SECRET_BASIC' ? new RegExp(basic.slice(0, 24)) : new RegExp(secret));
    }
  });

  it.each([
    ['/html-5xx', 502],
    ['/malformed', 502],
    ['/no-token', 502],
    ['/huge', 502],
    ['/huge-chunked', 502],
    ['/endless', 502],
    ['/redirect', 502],
    ['/server-error', 502],
  ])('%s: InternalServerException (retryable) with HTTP %i, a clean message', async (path, status) => {
    const secret = secretValue('misbehaving-client-secret');
    const error = await machineVend(await providerAt(`${server.base}${path}`, secret));
    expect(error.name).toBe('InternalServerException');
    expect(error.$metadata.httpStatusCode).toBe(status);
    expect(error.message).toMatch(/authorization server of credential provider/);
    expect(JSON.stringify(error)).not.toMatch(/<html|at .*\.js|aaaaaaaaaa/);
    expect(JSON.stringify(error)).not.toContain(secret);
  });

  it('a closed port: InternalServerException with HTTP 502, upstream_unreachable', async () => {
    const closed = new URL(server.base);
    closed.port = '9'; // discard: nothing listens there on a test machine
    const error = await machineVend(await providerAt(`${closed.origin}/token`, secretValue('unreachable-client-secret')));
    expect(error.name).toBe('InternalServerException');
    expect(error.$metadata.httpStatusCode).toBe(502);
    expect(error.message).toContain('upstream_unreachable');
  });
});

describe('discovery at provider creation', () => {
  it.each(['/huge', '/redirect-metadata', '/html-5xx', '/malformed'])('refuses %s as a ValidationException naming the field, and creates nothing', async (path) => {
    const name = uniqueName('bad-discovery');
    const error = await failure(
      control.send(
        new CreateOauth2CredentialProviderCommand({
          name,
          credentialProviderVendor: 'CustomOauth2',
          oauth2ProviderConfigInput: { customOauth2ProviderConfig: { clientId: 'c', clientSecret: secretValue('discovery-secret'), oauthDiscovery: { discoveryUrl: `${server.base}${path}` } } },
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.fieldList).toEqual([expect.objectContaining({ name: 'oauth2ProviderConfigInput.customOauth2ProviderConfig.oauthDiscovery.discoveryUrl' })]);
    expect((await failure(control.send(new GetOauth2CredentialProviderCommand({ name })))).name).toBe('ResourceNotFoundException');
  });
});

describe('endpoints the address policy refuses', () => {
  it.each(['https://169.254.169.254/token', 'https://[::ffff:169.254.169.254]/token', 'https://[fd00:ec2::254]/token', 'https://10.0.0.1/token', 'https://[fe80::1]/token', 'https://[::]/token', 'https://0.0.0.0/token'])(
    '%s: ValidationException naming the field, nothing created',
    async (tokenEndpoint) => {
      const name = uniqueName('ssrf');
      const error = await failure(
        control.send(
          new CreateOauth2CredentialProviderCommand({
            name,
            credentialProviderVendor: 'CustomOauth2',
            oauth2ProviderConfigInput: {
              customOauth2ProviderConfig: {
                clientId: 'c',
                clientSecret: secretValue('ssrf-secret'),
                oauthDiscovery: { authorizationServerMetadata: { issuer: 'https://idp.example.com', authorizationEndpoint: 'https://idp.example.com/authorize', tokenEndpoint } },
              },
            },
          }),
        ),
      );
      expect(error.name).toBe('ValidationException');
      expect(error.fieldList).toEqual([expect.objectContaining({ name: 'oauth2ProviderConfigInput.customOauth2ProviderConfig.oauthDiscovery.authorizationServerMetadata.tokenEndpoint' })]);
      expect((await failure(control.send(new GetOauth2CredentialProviderCommand({ name })))).name).toBe('ResourceNotFoundException');
    },
  );
});

describe('user JWT rules', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const jwt = (claims: Record<string, unknown>) => signJwt(idp.privateKeyPem, idp.kid, { iss: idp.issuer, sub: 'rule-user', aud: idp.audience, ...claims });
  const refused = {
    'no exp': () => jwt({ iat: now() }),
    'nbf in the future': () => jwt({ iat: now(), nbf: now() + 600, exp: now() + 900 }),
    'iat far in the future': () => jwt({ iat: now() + 600, exp: now() + 900 }),
  };

  it.each(Object.keys(refused))('GetWorkloadAccessTokenForJWT refuses a token with %s', async (label) => {
    const workloadName = uniqueName('agent');
    await control.send(new CreateWorkloadIdentityCommand({ name: workloadName }));
    const error = await failure(data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName, userToken: refused[label as keyof typeof refused]() })));
    expect(error.name).toBe('UnauthorizedException');
  });

  it('accepts a token issued a few seconds ahead of this clock', async () => {
    const workloadName = uniqueName('agent');
    await control.send(new CreateWorkloadIdentityCommand({ name: workloadName }));
    const result = await data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName, userToken: jwt({ iat: now() + 20, exp: now() + 300 }) }));
    expect(result.workloadAccessToken).toBeTruthy();
  });

  it('CompleteResourceTokenAuth refuses the same tokens and leaves the session waiting', async () => {
    const provider = await createCustomOauth2Provider(control, { clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret, oauthDiscovery: { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` } });
    const workloadName = uniqueName('agent');
    await control.send(new CreateWorkloadIdentityCommand({ name: workloadName, allowedResourceOauth2ReturnUrls: [RETURN_URL] }));
    const userId = uniqueName('user');
    const wat = (await data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName, userId }))).workloadAccessToken!;
    const started = await data.send(
      new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: provider, scopes: ['openid', 'read'], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL }),
    );
    const landed = await consentInBrowser(started.authorizationUrl!, CALLBACK);
    await fetch(landed, { redirect: 'manual' });
    for (const make of Object.values(refused)) {
      const error = await failure(data.send(new CompleteResourceTokenAuthCommand({ sessionUri: started.sessionUri!, userIdentifier: { userToken: make() } })));
      expect(error.name).toBe('UnauthorizedException');
    }
    // The session was left waiting: the right user can still complete it, and gets the token.
    await data.send(new CompleteResourceTokenAuthCommand({ sessionUri: started.sessionUri!, userIdentifier: { userId } }));
    const vended = await data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: provider, scopes: ['openid', 'read'], oauth2Flow: 'USER_FEDERATION', sessionUri: started.sessionUri }));
    expect(rememberSecret(vended.accessToken!)).toBeTruthy();
  });
});

describe('the callback URL', () => {
  /** A raw call with a Host header of the caller's choosing (fetch would not let a test set it). */
  function callWithHost(path: string, body: unknown, host: string): Promise<{ status: number; body: any }> {
    const url = new URL(stack.url + path);
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { host, 'content-type': 'application/json' } },
        (response) => {
          let text = '';
          response.on('data', (c) => (text += c));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
        },
      );
      request.on('error', reject);
      request.end(JSON.stringify(body));
    });
  }

  it('never comes from the Host header: not in callbackUrl, not in an authorization URL', async () => {
    const provider = await createCustomOauth2Provider(control, { clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret, oauthDiscovery: { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` } });
    const got = await callWithHost('/identities/GetOauth2CredentialProvider', { name: provider }, 'evil.example');
    expect(got.status).toBe(200);
    expect(got.body.callbackUrl).toBe(CALLBACK);
    expect(JSON.stringify(got.body)).not.toContain('evil.example');

    const workloadName = uniqueName('agent');
    await control.send(new CreateWorkloadIdentityCommand({ name: workloadName }));
    const wat = (await data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName, userId: uniqueName('user') }))).workloadAccessToken!;
    const started = await callWithHost(
      '/identities/oauth2/token',
      { workloadIdentityToken: wat, resourceCredentialProviderName: provider, scopes: ['openid'], oauth2Flow: 'USER_FEDERATION' },
      'evil.example',
    );
    expect(started.status).toBe(200);
    expect(started.body.authorizationUrl).toBeTruthy();
    expect(new URL(started.body.authorizationUrl).searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(JSON.stringify(started.body)).not.toContain('evil.example');
  });
});
