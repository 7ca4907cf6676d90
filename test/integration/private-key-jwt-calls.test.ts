import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { inject } from 'vitest';
import { rememberSecret, stack, uniqueName } from '../setup/clients.js';
import { signJwt } from '../setup/jwt-issuer.js';
import { apiEvent, lambdaContext, useFunctionEnvironment } from '../setup/in-process.js';

/**
 * The KMS calls PRIVATE_KEY_JWT costs, counted on the handlers' own KMS client (in process,
 * against the suite's emulator): create reads the key once (DescribeKey, GetPublicKey); each
 * token request is one Sign and nothing else; a cached M2M token none. A key that refuses to sign
 * after the provider was made is ResourceNotFoundException, and no token request goes out.
 */
useFunctionEnvironment();
const control = (await import('../../functions/control-plane.js')).handler;
const dataPlane = (await import('../../functions/data-plane.js')).handler;
const { kmsClient } = await import('../../lib/aws/clients.js');
const idp = inject('userTokenIssuer');

const calls: string[] = [];
let refuseSign = false;
kmsClient().middlewareStack.add(
  (next, context) => async (args) => {
    calls.push(context.commandName!.replace(/Command$/, ''));
    if (refuseSign && context.commandName === 'SignCommand') {
      throw Object.assign(new Error('key is disabled'), { name: 'DisabledException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    }
    return next(args);
  },
  { step: 'initialize', name: 'countKmsCalls' },
);
const signingCalls = () => calls.filter((c) => ['Sign', 'GetPublicKey', 'DescribeKey'].includes(c));

/** A token endpoint that takes any client assertion and counts the requests. */
let server: Server;
let issuer: string;
const tokenRequests: URLSearchParams[] = [];
beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      tokenRequests.push(new URLSearchParams(body));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ access_token: rememberSecret(`m2m-token-${uniqueName('t')}`), token_type: 'Bearer', expires_in: 3600 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function call(handler: typeof control, path: string, body: unknown) {
  const result = await handler(apiEvent(path, body) as never, lambdaContext());
  return { status: result.statusCode, errorType: result.headers?.['x-amzn-errortype'], body: JSON.parse(result.body || '{}') };
}

/** A CustomOauth2 provider authenticating with a new emulator KMS key (PRIVATE_KEY_JWT); its create answer. */
async function pkjwtProvider(provider: string, clientId: string, key: { spec: 'ECC_NIST_P256' | 'RSA_2048'; algorithm: 'ES256' | 'RS256' }, extra: object = {}) {
  const kms = new KMSClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const keyArn = (await kms.send(new CreateKeyCommand({ KeySpec: key.spec, KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.Arn!;
  return call(control, '/identities/CreateOauth2CredentialProvider', {
    name: provider,
    credentialProviderVendor: 'CustomOauth2',
    oauth2ProviderConfigInput: {
      customOauth2ProviderConfig: {
        clientId,
        clientAuthenticationMethod: 'PRIVATE_KEY_JWT',
        privateKeyJwtConfig: { privateKeySource: { kmsKeySource: { kmsKeyArn: keyArn } }, signingAlgorithm: key.algorithm },
        oauthDiscovery: { authorizationServerMetadata: { issuer, authorizationEndpoint: `${issuer}/authorize`, tokenEndpoint: `${issuer}/token` } },
        ...extra,
      },
    },
  });
}

describe('KMS calls of a PRIVATE_KEY_JWT provider', () => {
  it('reads the key at create, signs once per token request, and never again for a cached token', async () => {
    const provider = uniqueName('pkjwt-calls');
    const created = await pkjwtProvider(provider, 'counted-client', { spec: 'ECC_NIST_P256', algorithm: 'ES256' });
    expect(created.status).toBe(201);
    expect(signingCalls()).toEqual(['DescribeKey', 'GetPublicKey']);

    const workload = uniqueName('agent');
    expect((await call(control, '/identities/CreateWorkloadIdentity', { name: workload })).status).toBe(201);
    const wat = (await call(dataPlane, '/identities/GetWorkloadAccessToken', { workloadName: workload })).body.workloadAccessToken as string;
    const vend = (scopes: string[]) => call(dataPlane, '/identities/oauth2/token', { workloadIdentityToken: wat, resourceCredentialProviderName: provider, scopes, oauth2Flow: 'M2M' });

    calls.length = 0;
    for (const scope of ['a', 'b', 'c']) expect((await vend([scope])).status).toBe(200);
    expect(signingCalls()).toEqual(['Sign', 'Sign', 'Sign']);
    expect(tokenRequests.map((r) => r.get('client_assertion_type'))).toEqual(Array(3).fill('urn:ietf:params:oauth:client-assertion-type:jwt-bearer'));
    expect(new Set(tokenRequests.map((r) => r.get('client_assertion'))).size).toBe(3);
    for (const r of tokenRequests) rememberSecret(r.get('client_assertion')!);

    calls.length = 0;
    expect((await vend(['a'])).status).toBe(200);
    expect(signingCalls()).toEqual([]);

    refuseSign = true;
    const refused = await vend(['d']);
    refuseSign = false;
    expect(refused.status).toBe(404);
    expect(refused.errorType).toBe('ResourceNotFoundException');
    expect(refused.body.message).toContain('signing key');
    expect(tokenRequests.length).toBe(3);
  });

  it('authenticates a token exchange (ON_BEHALF_OF_TOKEN_EXCHANGE) with an assertion too', async () => {
    const provider = uniqueName('pkjwt-obo');
    const created = await pkjwtProvider(provider, 'obo-client', { spec: 'RSA_2048', algorithm: 'RS256' }, { onBehalfOfTokenExchangeConfig: { grantType: 'TOKEN_EXCHANGE' } });
    expect(created.status).toBe(201);
    const workload = uniqueName('agent');
    expect((await call(control, '/identities/CreateWorkloadIdentity', { name: workload })).status).toBe(201);
    const now = Math.floor(Date.now() / 1000);
    const userToken = signJwt(idp.privateKeyPem, idp.kid, { iss: idp.issuer, sub: 'obo-user', aud: idp.audience, iat: now, exp: now + 300 });
    const wat = (await call(dataPlane, '/identities/GetWorkloadAccessTokenForJWT', { workloadName: workload, userToken })).body.workloadAccessToken as string;
    const before = tokenRequests.length;
    const vended = await call(dataPlane, '/identities/oauth2/token', { workloadIdentityToken: wat, resourceCredentialProviderName: provider, scopes: ['read'], oauth2Flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE' });
    expect(vended.status).toBe(200);
    const sent = tokenRequests[before]!;
    rememberSecret(sent.get('client_assertion')!);
    expect(Object.fromEntries(sent)).toMatchObject({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: userToken, client_id: 'obo-client', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' });
    expect(sent.get('client_secret')).toBeNull();
  });
});
