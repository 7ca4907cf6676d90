import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { NonRetryableFetchError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { DependencyFailure, UnauthorizedException, ValidationException } from '../errors.js';
import { logger } from '../logger.js';
import type { AddressPolicy } from '../outbound/address-policy.js';
import { OutboundError, outboundJson, type OutboundFailure } from '../outbound/http-client.js';

/**
 * One trusted issuer of user JWTs, from USER_TOKEN_ISSUERS (a JSON array):
 *   {"issuer": "https://idp.example.com", "jwksUri": "https://idp.example.com/jwks", "audience": ["my-app"]}
 *   {"discoveryUrl": "https://idp.example.com/.well-known/openid-configuration", "audience": ["my-app"]}
 *   {"issuer": "https://cognito-idp.<region>.amazonaws.com/<pool>", "clientId": ["<app client id>"]}
 * `jwksUri` defaults to the discovery document's `jwks_uri`, or to `<issuer>/.well-known/jwks.json`.
 * `audience` checks `aud` (ID tokens); `clientId` checks `client_id` (Cognito access tokens).
 * Give at least one of them; a token must satisfy one of the listed values.
 */
export interface UserTokenIssuer {
  issuer?: string;
  discoveryUrl?: string;
  jwksUri?: string;
  audience?: string[];
  clientId?: string[];
}

export function parseIssuers(raw: string | undefined): UserTokenIssuer[] {
  if (!raw || raw.trim() === '') return [];
  const parsed = JSON.parse(raw) as UserTokenIssuer[];
  if (!Array.isArray(parsed)) throw new Error('USER_TOKEN_ISSUERS must be a JSON array');
  for (const issuer of parsed) {
    if (!issuer.issuer && !issuer.discoveryUrl) throw new Error('each USER_TOKEN_ISSUERS entry needs issuer or discoveryUrl');
    if (!issuer.audience?.length && !issuer.clientId?.length) throw new Error(`USER_TOKEN_ISSUERS entry ${issuer.issuer ?? issuer.discoveryUrl} needs audience or clientId`);
  }
  return parsed;
}

/**
 * JWKS and discovery documents come through the service's one outbound client (deadline, size
 * cap, no redirects, address policy after DNS) like every other call to an outside server; the
 * library's own fetcher would reach any address, for as long as the server cared to trickle.
 */
const JWKS_TIMEOUT_MS = 3_000;

/** A fetch of an issuer's keys or metadata that failed, with how (see OutboundFailure). */
class IssuerFetchError extends NonRetryableFetchError {
  constructor(
    uri: string,
    readonly failure: OutboundFailure,
    reason: string,
  ) {
    super(uri, reason);
  }
}

export class OutboundFetcher implements Fetcher {
  constructor(private readonly policy: () => AddressPolicy) {}

  async fetch(uri: string): Promise<ArrayBuffer> {
    let json: Record<string, unknown>;
    try {
      json = await outboundJson(uri, { timeoutMs: JWKS_TIMEOUT_MS, policy: this.policy() });
    } catch (error) {
      // Not retried by the library: the deadline already bounds the call, a retry would double it.
      const failure = error instanceof OutboundError ? error : new OutboundError('unreachable', 'the request could not be made');
      throw new IssuerFetchError(uri, failure.failure, failure.message);
    }
    const bytes = new TextEncoder().encode(JSON.stringify(json));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
}

/**
 * An issuer whose keys or metadata cannot be fetched is the issuer's trouble, not a verdict on
 * the token: a retryable InternalServerException (502, or 504 when it did not answer in time).
 */
function issuerUnavailable(error: unknown): DependencyFailure | undefined {
  const failure = error instanceof IssuerFetchError || error instanceof OutboundError ? error.failure : undefined;
  if (!failure) return undefined;
  logger.warn('user token issuer unavailable', { failure, reason: (error as Error).message });
  return new DependencyFailure('The keys of the user token issuer could not be fetched; retry later', failure === 'timeout' ? 'upstream-timeout' : 'upstream');
}

/** How far in the future a token's `iat` may lie: clocks of issuers and Lambda hosts drift a little. */
export const CLOCK_SKEW_SECONDS = 60;

export interface VerifiedUser {
  issuer: string;
  subject: string;
  /** When the JWT expires (epoch seconds), if it says. */
  expiresAt?: number;
}

/**
 * Verifies user JWTs against the configured issuers, with JWKS cached across invocations. The
 * address policy (which hosts JWKS and discovery documents may live on) is the deployment's,
 * given by the composition root; read per fetch, as the deployment's settings may change in tests.
 */
export class UserTokenVerifier {
  private verifier?: Promise<{ verify(token: string): Promise<Record<string, unknown>> }>;
  private readonly fetcher: OutboundFetcher;

  constructor(
    private readonly issuers: UserTokenIssuer[],
    private readonly outbound: { policy: () => AddressPolicy },
  ) {
    this.fetcher = new OutboundFetcher(outbound.policy);
  }

  private build() {
    this.verifier ??= (async () => {
      const resolved = await Promise.all(
        this.issuers.map(async (entry) => {
          const discovered = entry.discoveryUrl ? await outboundJson(entry.discoveryUrl, { timeoutMs: JWKS_TIMEOUT_MS, policy: this.outbound.policy() }) : undefined;
          const issuer = entry.issuer ?? String(discovered?.issuer);
          const jwksUri = entry.jwksUri ?? (discovered?.jwks_uri as string | undefined) ?? `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
          const clientIds = entry.clientId;
          return {
            issuer,
            jwksUri,
            audience: entry.audience?.length ? entry.audience : null,
            customJwtCheck: clientIds?.length
              ? ({ payload }: { payload: Record<string, unknown> }) => {
                  if (!clientIds.includes(String(payload.client_id))) throw new Error('client_id not allowed');
                }
              : undefined,
          };
        }),
      );
      return JwtVerifier.create(resolved as never, { jwksCache: new SimpleJwksCache({ fetcher: this.fetcher }) }) as never;
    })().catch((error) => {
      this.verifier = undefined;
      throw error;
    });
    return this.verifier;
  }

  async verify(token: string): Promise<VerifiedUser> {
    if (this.issuers.length === 0) throw ValidationException.field('userToken', 'cannot be verified: this deployment trusts no user token issuer (USER_TOKEN_ISSUERS)');
    let payload: Record<string, unknown>;
    try {
      payload = await (await this.build()).verify(token);
    } catch (error) {
      const unavailable = issuerUnavailable(error);
      if (unavailable) throw unavailable;
      // The reason goes to the operator's log; the token itself never does.
      logger.info('user token refused', { reason: (error as Error).name });
      throw new UnauthorizedException('The user token is not valid: it is expired, forged, or from an issuer or audience this deployment does not trust');
    }
    if (typeof payload.iss !== 'string' || typeof payload.sub !== 'string' || payload.sub === '') {
      throw new UnauthorizedException('The user token has no subject');
    }
    // A token without an expiry would be good forever once leaked; one issued in the future was
    // minted by a clock (or a forger) that cannot be trusted. The library already refuses a
    // passed exp and a future nbf.
    const now = Date.now() / 1000;
    if (typeof payload.exp !== 'number') {
      logger.info('user token refused', { reason: 'NoExpiry' });
      throw new UnauthorizedException('The user token is not valid: it has no expiry (exp)');
    }
    if (typeof payload.iat === 'number' && payload.iat > now + CLOCK_SKEW_SECONDS) {
      logger.info('user token refused', { reason: 'IssuedInTheFuture' });
      throw new UnauthorizedException('The user token is not valid: it was issued in the future (iat)');
    }
    return { issuer: payload.iss, subject: payload.sub, expiresAt: payload.exp };
  }
}
