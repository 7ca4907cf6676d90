import { ValidationException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import { logger } from '../logger.js';
import { settingsOf } from '../credential-providers/oauth2-providers.js';
import type { CredentialProviderRecord, CredentialProviderStore } from '../credential-providers/store.js';
import { OutboundError } from '../outbound/http-client.js';
import { isArnRefusal, parseResourceArn } from '../arns.js';
import type { ConsentPortalIdpConfig } from './store.js';

/** What a portal's sign-in needs of its identity provider, resolved from the provider and its discovery document. */
export interface PortalIdp {
  provider: CredentialProviderRecord;
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
}

export interface IdpCheckDependencies {
  providers: Pick<CredentialProviderStore, 'get'>;
  /** GET a JSON document within the deployment's outbound rules (lib/outbound/http-client.ts). */
  fetchJson: (url: string) => Promise<Record<string, unknown>>;
  /** Whether GetWorkloadAccessTokenForJWT trusts user tokens of this issuer (USER_TOKEN_ISSUERS). */
  isTrustedIssuer: (issuer: string) => Promise<boolean>;
}

const FIELD = 'idpConfig.credentialProviderArn';
const refuse = (message: string) => ValidationException.field(FIELD, message);

/** The OAuth2 provider the ARN names, in this deployment's partition, region, account and vault. */
async function providerOf(arn: string, caller: CallerContext, providers: IdpCheckDependencies['providers']): Promise<CredentialProviderRecord> {
  const parsed = parseResourceArn(arn, caller);
  if (isArnRefusal(parsed)) {
    if (parsed.refused === 'other-account' || parsed.refused === 'other-region') {
      throw refuse(`names a credential provider outside this deployment (${caller.partition}, ${caller.region}, account ${caller.accountId})`);
    }
    throw refuse('is not the ARN of an OAuth2 credential provider of the default token vault');
  }
  if (parsed.kind !== 'oauth2-credential-provider') throw refuse('is not the ARN of an OAuth2 credential provider');
  const provider = await providers.get({ kind: 'oauth2', name: parsed.name });
  if (!provider) throw refuse(`names no OAuth2 credential provider of this deployment (${parsed.name})`);
  return provider;
}

const url = (metadata: Record<string, unknown>, member: string): string | undefined => {
  const value = metadata[member];
  return typeof value === 'string' && URL.canParse(value) ? value : undefined;
};

/**
 * The issuer's OpenID Connect discovery document (OpenID Connect Discovery 1.0 §4), with what
 * sign-in needs: the same issuer, the endpoints, the keys, and ID tokens for the code flow.
 */
async function openIdConfiguration(issuer: string, fetchJson: IdpCheckDependencies['fetchJson']): Promise<Omit<PortalIdp, 'provider'>> {
  let metadata: Record<string, unknown>;
  try {
    metadata = await fetchJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  } catch (error) {
    const failure = error instanceof OutboundError ? error.failure : 'unreachable';
    logger.info('OpenID configuration not fetched', { issuer, failure });
    throw refuse(`names a provider whose issuer serves no OpenID Connect discovery document (${failure === 'timeout' ? 'no answer in time' : 'none could be read'})`);
  }
  const missing = (what: string) => refuse(`names a provider whose issuer's OpenID Connect discovery document ${what}`);
  if (metadata.issuer !== issuer) throw missing('names another issuer');
  const [authorizationEndpoint, tokenEndpoint, jwksUri] = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'].map((m) => url(metadata, m));
  if (!authorizationEndpoint || !tokenEndpoint || !jwksUri) throw missing('lacks authorization_endpoint, token_endpoint or jwks_uri');
  const algorithms = metadata.id_token_signing_alg_values_supported;
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw missing('declares no ID token signing algorithm (id_token_signing_alg_values_supported)');
  const responseTypes = metadata.response_types_supported;
  if (Array.isArray(responseTypes) && !responseTypes.includes('code')) throw missing('does not support the authorization code flow (response_types_supported)');
  return { issuer, authorizationEndpoint, tokenEndpoint, jwksUri };
}

/**
 * The checks of a portal's identity provider at create and update: an OAuth2 provider of this
 * deployment, whose issuer serves OpenID Connect, asked for `openid`, and whose issuer
 * GetWorkloadAccessTokenForJWT trusts, so that the user who signs in to the portal (iss + sub)
 * is the user the agent later vends for. Every refusal is a ValidationException naming the field.
 */
export async function checkIdp(idp: ConsentPortalIdpConfig, caller: CallerContext, deps: IdpCheckDependencies): Promise<PortalIdp> {
  if (!idp.scopes.includes('openid')) throw ValidationException.field('idpConfig.scopes', 'must include openid: the portal signs users in with OpenID Connect');
  const provider = await providerOf(idp.credentialProviderArn, caller, deps.providers);
  const issuer = settingsOf(provider).server.issuer;
  if (!issuer) throw refuse(`names a provider without an issuer (${provider.name}): the portal's identity provider must be an OpenID Connect provider`);
  const configuration = await openIdConfiguration(issuer, deps.fetchJson);
  if (!(await deps.isTrustedIssuer(issuer))) {
    throw refuse(`names a provider whose issuer (${issuer}) is not a trusted user token issuer of this deployment (USER_TOKEN_ISSUERS): GetWorkloadAccessTokenForJWT would not vend for the users who sign in`);
  }
  return { provider, ...configuration };
}
