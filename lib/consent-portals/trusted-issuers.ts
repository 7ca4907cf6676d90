import { logger } from '../logger.js';
import type { UserTokenIssuer } from '../workload-access-tokens/user-tokens.js';

/**
 * Whether an issuer is among those GetWorkloadAccessTokenForJWT trusts (USER_TOKEN_ISSUERS, as
 * lib/workload-access-tokens/user-tokens.ts reads them): named by `issuer`, by a `discoveryUrl`
 * at the issuer's own well-known location, or by a discovery document that names it. A document
 * that cannot be read trusts nothing; the next check reads it again.
 */
export function trustedIssuers(entries: UserTokenIssuer[], fetchJson: (url: string) => Promise<Record<string, unknown>>) {
  const discovered = new Map<string, string>();
  const issuerAt = async (discoveryUrl: string): Promise<string | undefined> => {
    if (discovered.has(discoveryUrl)) return discovered.get(discoveryUrl);
    try {
      const issuer = (await fetchJson(discoveryUrl)).issuer;
      if (typeof issuer !== 'string') return undefined;
      discovered.set(discoveryUrl, issuer);
      return issuer;
    } catch (error) {
      logger.warn('user token issuer discovery not read', { discoveryUrl, reason: (error as Error).message });
      return undefined;
    }
  };
  return async (issuer: string): Promise<boolean> => {
    const wellKnown = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    for (const entry of entries) {
      if (entry.issuer !== undefined) {
        if (entry.issuer === issuer) return true;
      } else if (entry.discoveryUrl === wellKnown || (entry.discoveryUrl && (await issuerAt(entry.discoveryUrl)) === issuer)) {
        return true;
      }
    }
    return false;
  };
}
