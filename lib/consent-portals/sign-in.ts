import { createHash } from 'node:crypto';
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { readableClient, settingsOf } from '../credential-providers/oauth2-providers.js';
import type { ProviderSecrets } from '../credential-providers/provider-secrets.js';
import { logger } from '../logger.js';
import { requestToken } from '../oauth2/token-endpoint.js';
import { isTokenError } from '../oauth2/token-response.js';
import { vendorOf } from '../oauth2/vendors.js';
import type { AddressPolicy } from '../outbound/address-policy.js';
import type { AssertionSigner } from '../oauth2/client-assertion.js';
import { plausibleErrorCode } from '../outbound/redact.js';
import { CLOCK_SKEW_SECONDS, OutboundFetcher } from '../workload-access-tokens/user-tokens.js';
import type { PortalIdp } from './idp-checks.js';
import { SIGN_IN_SECONDS, type PendingSignIn } from './portal-cookies.js';
import type { ConsentPortalRecord } from './store.js';
import { randomToken, sameToken } from '../web/tokens.js';

export interface SignInDependencies {
  secrets: ProviderSecrets;
  /** Signs client assertions for an identity provider that authenticates its client with PRIVATE_KEY_JWT. */
  sign: AssertionSigner;
  policy: () => AddressPolicy;
  now?: () => number;
}

/** Why a sign-in did not complete; the code alone reaches the log and the page. */
export class SignInRefused extends Error {
  constructor(readonly code: string) {
    super(`sign-in refused: ${code}`);
  }
}

type Verifier = { verify(token: string): Promise<Record<string, unknown>> };

/** Where the browser goes to sign in, and what its callback must find again. */
function authorizationRequest(portal: ConsentPortalRecord, idp: PortalIdp, redirectUri: string, time: number): { location: string; pending: PendingSignIn } {
  const pending: PendingSignIn = { portal: portal.consentPortalId, state: randomToken(), nonce: randomToken(), verifier: randomToken(), expiresAt: Math.floor(time / 1000) + SIGN_IN_SECONDS };
  const url = new URL(idp.authorizationEndpoint);
  const parameters: Record<string, string> = {
    response_type: 'code',
    client_id: settingsOf(idp.provider).clientId,
    redirect_uri: redirectUri,
    scope: portal.idpConfig.scopes.join(' '),
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: createHash('sha256').update(pending.verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(portal.idpConfig.audience ? { audience: portal.idpConfig.audience } : {}),
  };
  for (const [k, v] of Object.entries(parameters)) url.searchParams.set(k, v);
  return { location: url.toString(), pending };
}

/** The subject of verified ID token claims that carry this sign-in's nonce and were not issued in the future. */
function checkClaims(claims: Record<string, unknown>, pending: PendingSignIn, time: number): string {
  if (!sameToken(typeof claims.nonce === 'string' ? claims.nonce : undefined, pending.nonce)) throw new SignInRefused('nonce_mismatch');
  if (typeof claims.iat === 'number' && claims.iat > time / 1000 + CLOCK_SKEW_SECONDS) throw new SignInRefused('issued_in_the_future');
  if (typeof claims.sub !== 'string' || claims.sub === '' || typeof claims.exp !== 'number') throw new SignInRefused('invalid_id_token');
  return claims.sub;
}

/**
 * OpenID Connect sign-in to a portal's identity provider: the authorization code flow with PKCE
 * (S256) and a nonce, the ID token verified for issuer, audience (the provider's client id),
 * signature (the issuer's JWKS), expiry and nonce. The user is `iss` + `sub`, exactly as a WAT
 * minted by GetWorkloadAccessTokenForJWT names its user, so what the user connects here is what
 * the agent vends for them.
 */
export function portalSignIn(deps: SignInDependencies) {
  const now = deps.now ?? Date.now;
  const verifiers = new Map<string, Verifier>();
  const verifierFor = (idp: PortalIdp, clientId: string): Verifier => {
    const key = JSON.stringify([idp.issuer, idp.jwksUri, clientId]);
    let verifier = verifiers.get(key);
    if (!verifier) {
      const cache = new SimpleJwksCache({ fetcher: new OutboundFetcher(deps.policy) });
      verifier = JwtVerifier.create({ issuer: idp.issuer, audience: clientId, jwksUri: idp.jwksUri }, { jwksCache: cache }) as unknown as Verifier;
      verifiers.set(key, verifier);
    }
    return verifier;
  };

  return {
    begin(portal: ConsentPortalRecord, idp: PortalIdp, redirectUri: string): { location: string; pending: PendingSignIn } {
      return authorizationRequest(portal, idp, redirectUri, now());
    },

    /** The user the identity provider vouches for, or SignInRefused. */
    async finish(idp: PortalIdp, redirectUri: string, query: Record<string, string | undefined>, pending: PendingSignIn | undefined): Promise<{ issuer: string; subject: string }> {
      if (!pending || !sameToken(query.state, pending.state)) throw new SignInRefused('state_mismatch');
      if (query.error) throw new SignInRefused(plausibleErrorCode(query.error) ?? 'unrecognized_error');
      if (query.iss !== undefined && query.iss !== idp.issuer) throw new SignInRefused('issuer_mismatch');
      if (!query.code) throw new SignInRefused('missing_code');
      const settings = settingsOf(idp.provider);
      const client = await readableClient(idp.provider, { secrets: deps.secrets, sign: deps.sign, now });
      if (!client) throw new SignInRefused('client_secret_unavailable');
      const vendor = vendorOf(settings.vendor);
      let idToken: unknown;
      // The vendor's reading of the answer, keeping the ID token it does not otherwise keep.
      const keepIdToken = { ...vendor, normalizeTokenResponse: (status: number, body: unknown, at: number) => ((idToken = (body as { id_token?: unknown } | undefined)?.id_token), vendor.normalizeTokenResponse(status, body, at)) };
      const result = await requestToken(keepIdToken, { ...settings.server, tokenEndpoint: idp.tokenEndpoint }, client, {
        grant_type: 'authorization_code',
        code: query.code,
        redirect_uri: redirectUri,
        code_verifier: pending.verifier,
      });
      if (isTokenError(result)) throw new SignInRefused(result.error);
      if (typeof idToken !== 'string') throw new SignInRefused('no_id_token');
      let claims: Record<string, unknown>;
      try {
        claims = await verifierFor(idp, settings.clientId).verify(idToken);
      } catch (error) {
        logger.info('portal ID token refused', { reason: (error as Error).constructor?.name ?? 'Error' });
        throw new SignInRefused('invalid_id_token');
      }
      return { issuer: idp.issuer, subject: checkClaims(claims, pending, now()) };
    },
  };
}
