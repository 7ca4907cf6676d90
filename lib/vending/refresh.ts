import { settingsOf } from '../credential-providers/oauth2-providers.js';
import type { CredentialProviderRecord } from '../credential-providers/store.js';
import { requestToken, type ClientCredentials } from '../oauth2/token-endpoint.js';
import { upstreamError } from '../oauth2/upstream-errors.js';
import { isTokenError } from '../oauth2/token-response.js';
import { vendorOf } from '../oauth2/vendors.js';
import type { VaultBinding } from '../token-vault/store.js';
import type { RefreshExchange, RefreshOutcome, TokenVault } from '../token-vault/vault.js';

export interface RefreshDependencies {
  vault: TokenVault;
  client(record: CredentialProviderRecord): Promise<ClientCredentials>;
  now: () => number;
}

/**
 * A binding's refresh: the vault runs the lock protocol (TokenVault.refresh); this side is the
 * OAuth2 exchange it calls while holding the lock, and the errors a vend gets.
 */
export function refresher(deps: RefreshDependencies) {
  return (binding: VaultBinding, record: CredentialProviderRecord, deadline: number): Promise<RefreshOutcome> =>
    deps.vault.refresh(binding, deadline, refreshExchange(deps, record));
}

function refreshExchange(deps: RefreshDependencies, record: CredentialProviderRecord): RefreshExchange {
  return {
    providerName: record.name,
    remembered: (failure) => upstreamError(record.name, { error: failure }),
    async prepare() {
      const settings = settingsOf(record);
      const vendor = vendorOf(settings.vendor);
      const client = await deps.client(record);
      return async (tokens, timeoutMs) => {
        const result = await requestToken(vendor, settings.server, client, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken }, deps.now, { timeoutMs });
        if (isTokenError(result)) {
          if (result.error === 'invalid_grant') return { refused: true };
          // Only a timeout leaves the token's fate unknown.
          return { failure: result.error, unknownOutcome: result.error === 'upstream_timeout', error: upstreamError(record.name, result) };
        }
        // A rotated refresh token replaces the old one; an answer without one keeps it.
        const next = { accessToken: result.accessToken, refreshToken: result.refreshToken ?? tokens.refreshToken, tokenType: result.tokenType, extras: result.extras };
        return { tokens: next, expiresAt: result.expiresAt };
      };
    },
  };
}
