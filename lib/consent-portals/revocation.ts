import { readableClient, settingsOf } from '../credential-providers/oauth2-providers.js';
import type { ProviderSecrets } from '../credential-providers/provider-secrets.js';
import type { CredentialProviderRecord } from '../credential-providers/store.js';
import { logger } from '../logger.js';
import type { AssertionSigner } from '../oauth2/client-assertion.js';
import { authenticateClient } from '../oauth2/token-endpoint.js';
import { vendorOf } from '../oauth2/vendors.js';
import { outboundRequest } from '../outbound/http-client.js';
import type { VaultTokens } from '../token-vault/store.js';

/** What became of a grant at its provider when the user disconnected. */
export type RevocationOutcome = 'revoked' | 'not-supported' | 'failed';

export interface RevocationDependencies {
  secrets: ProviderSecrets;
  /** Signs the client assertion of a provider that authenticates with PRIVATE_KEY_JWT. */
  sign: AssertionSigner;
  fetchJson: (url: string) => Promise<Record<string, unknown>>;
}

/**
 * Where the provider's tokens are revoked (RFC 7009), if anywhere: its metadata (RFC 8414 /
 * OpenID discovery) says so, or, for a vendor that publishes none, the catalogue does.
 */
async function revocationEndpoint(record: CredentialProviderRecord, fetchJson: RevocationDependencies['fetchJson']): Promise<string | undefined> {
  const settings = settingsOf(record);
  const declared = vendorOf(settings.vendor).revocationEndpoint;
  if (declared) return declared;
  const issuer = settings.server.issuer?.replace(/\/$/, '');
  const candidates = [settings.discoveryUrl, ...(issuer ? [`${issuer}/.well-known/openid-configuration`, `${issuer}/.well-known/oauth-authorization-server`] : [])];
  for (const url of candidates) {
    if (!url) continue;
    const metadata = await fetchJson(url).catch(() => undefined);
    const endpoint = metadata?.revocation_endpoint;
    if (typeof endpoint === 'string' && URL.canParse(endpoint)) return endpoint;
  }
  return undefined;
}

/**
 * Revokes a user's grant at the provider (RFC 7009): the refresh token when there is one (a
 * server revokes the whole grant with it), else the access token, with the provider's own client
 * authentication. Nothing the server answers is kept or logged beyond its status.
 */
export async function revokeAtProvider(record: CredentialProviderRecord, tokens: VaultTokens, deps: RevocationDependencies): Promise<RevocationOutcome> {
  const endpoint = await revocationEndpoint(record, deps.fetchJson);
  if (!endpoint) return 'not-supported';
  const form = new URLSearchParams({ token: tokens.refreshToken ?? tokens.accessToken, token_type_hint: tokens.refreshToken ? 'refresh_token' : 'access_token' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  try {
    const client = await readableClient(record, { secrets: deps.secrets, sign: deps.sign, now: Date.now });
    if (!client) return 'failed';
    await authenticateClient(client, form, headers);
  } catch (error) {
    logger.warn('revocation failed', { provider: record.name, reason: (error as Error).name });
    return 'failed';
  }
  try {
    const response = await outboundRequest({ url: endpoint, method: 'POST', headers, body: form.toString(), timeoutMs: 5_000, maxBytes: 64 * 1024 });
    if (response.status === 200) return 'revoked';
    logger.warn('revocation refused', { provider: record.name, status: response.status });
  } catch (error) {
    logger.warn('revocation failed', { provider: record.name, reason: (error as Error).name });
  }
  return 'failed';
}
