import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortalIdp } from '../../lib/consent-portals/idp-checks.js';
import type { PendingSignIn } from '../../lib/consent-portals/portal-cookies.js';
import { portalSignIn, SignInRefused } from '../../lib/consent-portals/sign-in.js';
import type { ConsentPortalRecord } from '../../lib/consent-portals/store.js';
import type { CredentialProviderRecord } from '../../lib/credential-providers/store.js';
import { addressPolicyFor } from '../../lib/outbound/http-client.js';
import { signJwt } from '../setup/jwt-issuer.js';

/**
 * The portal's sign-in against an identity provider on loopback whose token endpoint answers
 * whatever ID token a test has it sign: each check of the ID token refuses its own forgery.
 */
const CLIENT_ID = 'portal-client';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = randomUUID();
const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
let server: Server;
let issuer = '';
let nextIdToken: (() => string) | undefined;
let lastTokenRequest = new URLSearchParams();

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      if (request.url === '/jwks') return void response.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] }));
      lastTokenRequest = new URLSearchParams(body);
      response.end(JSON.stringify({ access_token: 'at', token_type: 'Bearer', expires_in: 60, ...(nextIdToken ? { id_token: nextIdToken() } : {}) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function idp(): PortalIdp {
  const provider = {
    kind: 'oauth2',
    name: 'idp',
    settings: { vendor: 'CustomOauth2', member: 'customOauth2ProviderConfig', clientId: CLIENT_ID, clientAuthentication: 'client_secret_basic', server: { issuer, authorizationEndpoint: `${issuer}/auth`, tokenEndpoint: `${issuer}/token` } },
  } as unknown as CredentialProviderRecord;
  return { provider, issuer, authorizationEndpoint: `${issuer}/auth`, tokenEndpoint: `${issuer}/token`, jwksUri: `${issuer}/jwks` };
}

const portal = { consentPortalId: 'p-abcdefghij', idpConfig: { scopes: ['openid', 'email'] } } as ConsentPortalRecord;
const signIn = portalSignIn({ secrets: { credential: async () => 'client-secret-of-the-portal' } as never, sign: async () => { throw new Error('a client-secret IdP signs nothing'); }, policy: () => addressPolicyFor({ allowLoopback: true }) });
const now = () => Math.floor(Date.now() / 1000);

/** Begins a sign-in, then finishes it with the ID token `claims` (and `query` changes) describe. */
async function attempt(claims: (pending: PendingSignIn) => Record<string, unknown>, query: (pending: PendingSignIn) => Record<string, string | undefined> = (p) => ({ code: 'c', state: p.state })) {
  const { location, pending } = signIn.begin(portal, idp(), 'https://portal.example/callback');
  nextIdToken = () => signJwt(pem, kid, claims(pending));
  return { location: new URL(location), pending, result: signIn.finish(idp(), 'https://portal.example/callback', query(pending), pending) };
}

const good = (p: PendingSignIn) => ({ iss: issuer, sub: 'user-1', aud: CLIENT_ID, nonce: p.nonce, iat: now(), exp: now() + 300 });

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SignInRefused);
  return (error as SignInRefused).code;
}

describe('consent portal sign-in', () => {
  it('asks for the code with PKCE S256, a nonce and the portal scopes, and proves the user as iss + sub', async () => {
    const { location, pending, result } = await attempt(good);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({ response_type: 'code', client_id: CLIENT_ID, scope: 'openid email', nonce: pending.nonce, state: pending.state, code_challenge_method: 'S256' });
    expect(location.searchParams.get('code_challenge')).not.toBe(pending.verifier);
    expect(await result).toEqual({ issuer, subject: 'user-1' });
    expect(lastTokenRequest.get('code_verifier')).toBe(pending.verifier);
  });

  it.each([
    ['a wrong nonce', (p: PendingSignIn) => ({ ...good(p), nonce: 'another' }), 'nonce_mismatch'],
    ['no nonce', (p: PendingSignIn) => ({ ...good(p), nonce: undefined }), 'nonce_mismatch'],
    ['another audience', (p: PendingSignIn) => ({ ...good(p), aud: 'someone-else' }), 'invalid_id_token'],
    ['another issuer', (p: PendingSignIn) => ({ ...good(p), iss: 'https://evil.example' }), 'invalid_id_token'],
    ['an expired token', (p: PendingSignIn) => ({ ...good(p), iat: now() - 600, exp: now() - 300 }), 'invalid_id_token'],
    ['a token issued in the future', (p: PendingSignIn) => ({ ...good(p), iat: now() + 3600 }), 'issued_in_the_future'],
    ['no subject', (p: PendingSignIn) => ({ ...good(p), sub: '' }), 'invalid_id_token'],
  ])('refuses an ID token with %s', async (_label, claims, code) => {
    expect(await refusal((await attempt(claims)).result)).toBe(code);
  });

  it('refuses a forged signature, a missing ID token, a foreign state and an error from the provider', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const forged = signIn.begin(portal, idp(), 'https://portal.example/callback').pending;
    nextIdToken = () => signJwt(other, kid, good(forged));
    expect(await refusal(signIn.finish(idp(), 'https://portal.example/callback', { code: 'c', state: forged.state }, forged))).toBe('invalid_id_token');
    nextIdToken = undefined;
    const none = signIn.begin(portal, idp(), 'https://portal.example/callback').pending;
    expect(await refusal(signIn.finish(idp(), 'https://portal.example/callback', { code: 'c', state: none.state }, none))).toBe('no_id_token');
    expect(await refusal((await attempt(good, () => ({ code: 'c', state: 'guessed' }))).result)).toBe('state_mismatch');
    expect(await refusal(signIn.finish(idp(), 'https://portal.example/callback', { code: 'c', state: 's' }, undefined))).toBe('state_mismatch');
    expect(await refusal((await attempt(good, (p) => ({ error: 'access_denied', state: p.state }))).result)).toBe('access_denied');
  });
});
