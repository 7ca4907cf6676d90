import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyFailure, httpStatusOf, UnauthorizedException } from '../../lib/errors.js';
import { AddressPolicy } from '../../lib/outbound/address-policy.js';
import { UserTokenVerifier } from '../../lib/workload-access-tokens/user-tokens.js';
import { signJwt, startTestIssuer, type TestIssuer } from '../setup/jwt-issuer.js';
import { startMisbehavingServer, type MisbehavingServer } from '../setup/misbehaving-server.js';

const DEVELOPMENT = { policy: () => new AddressPolicy({ allowLoopback: true, allowedNetworks: [] }) };
const DEPLOYED = { policy: () => new AddressPolicy({ allowLoopback: false, allowedNetworks: [] }) };

/** User JWT verification in process: the claim rules, and JWKS fetched through the outbound client. */
describe('user token verification', () => {
  let issuer: TestIssuer;
  let server: MisbehavingServer;
  beforeAll(async () => {
    issuer = await startTestIssuer();
    server = await startMisbehavingServer();
  });
  afterAll(async () => {
    await issuer.stop();
    await server.stop();
  });
  const now = () => Math.floor(Date.now() / 1000);
  const token = (claims: Record<string, unknown>, iss = issuer.issuer) => signJwt(issuer.privateKeyPem, issuer.kid, { iss, sub: 'u', aud: 'app', ...claims });
  const refusal = async (verifier: UserTokenVerifier, jwt: string) => {
    try {
      await verifier.verify(jwt);
    } catch (error) {
      return error;
    }
    throw new Error('expected the token to be refused');
  };

  it('accepts a token with exp, and refuses one without exp, with nbf or iat in the future', async () => {
    const verifier = new UserTokenVerifier([{ issuer: issuer.issuer, jwksUri: `${issuer.issuer}/jwks.json`, audience: ['app'] }], DEVELOPMENT);
    expect(await verifier.verify(token({ iat: now(), exp: now() + 60 }))).toMatchObject({ issuer: issuer.issuer, subject: 'u' });
    expect(await verifier.verify(token({ iat: now() + 30, exp: now() + 60 }))).toMatchObject({ subject: 'u' });
    for (const claims of [{ iat: now() }, { iat: now(), nbf: now() + 120, exp: now() + 300 }, { iat: now() + 3600, exp: now() + 7200 }, { exp: now() - 10 }]) {
      expect(await refusal(verifier, token(claims))).toBeInstanceOf(UnauthorizedException);
    }
  });

  it.each([
    ['/hang', 504],
    ['/huge', 502],
    ['/redirect-metadata', 502],
    ['/html-5xx', 502],
  ])('answers a JWKS at %s with a retryable InternalServerException (%i), not a verdict on the token', async (path, status) => {
    const verifier = new UserTokenVerifier([{ issuer: issuer.issuer, jwksUri: `${server.base}${path}`, audience: ['app'] }], DEVELOPMENT);
    const error = await refusal(verifier, token({ iat: now(), exp: now() + 60 }));
    expect(error).toBeInstanceOf(DependencyFailure);
    expect(httpStatusOf(error as DependencyFailure)).toBe(status);
  }, 15_000);

  it('refuses, deployed, to fetch keys from loopback', async () => {
    const verifier = new UserTokenVerifier([{ issuer: issuer.issuer, jwksUri: `${issuer.issuer}/jwks.json`, audience: ['app'] }], DEPLOYED);
    const error = await refusal(verifier, token({ iat: now(), exp: now() + 60 }));
    expect(error).toBeInstanceOf(DependencyFailure);
  });
});
