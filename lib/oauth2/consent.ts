import { createHash, randomBytes } from 'node:crypto';
import { mac, seal, unseal } from '../keys/sealing.js';
import { deriveKey, type ServiceKeys, type SigningKey } from '../keys/service-keys.js';

export const SESSION_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/**
 * The secrets of a 3-legged consent, derived rather than stored. The `state` carries the session
 * id encrypted (AES-GCM under a key derived from the service key ring): whoever holds the
 * authorization URL, the user included, cannot read the sessionUri out of it, and a forged or
 * altered state fails authentication before any lookup. The PKCE verifier is a MAC of the session
 * id, recomputed at the callback, so no verifier sits in any table.
 */
export class ConsentSecrets {
  constructor(private readonly keys: ServiceKeys) {}

  newSessionId(): string {
    return randomBytes(32).toString('base64url');
  }

  async issue(sessionId: string): Promise<{ kid: string; state: string; codeChallenge: string }> {
    const root = await this.keys.current();
    const state = `${seal(deriveKey(root, 'oauth2-state').key, sessionId)}.${root.kid}`;
    return { kid: root.kid, state, codeChallenge: challenge(verifier(root, sessionId)) };
  }

  /** The session a state names, if we sealed it; undefined for anything forged or malformed. */
  async verifyState(state: string): Promise<{ sessionId: string; kid: string } | undefined> {
    const [sealed, kid, extra] = state.split('.');
    if (!sealed || !kid || extra !== undefined) return undefined;
    const root = await this.keys.find(kid);
    if (!root) return undefined;
    const sessionId = unseal(deriveKey(root, 'oauth2-state').key, sealed);
    return sessionId === undefined ? undefined : { sessionId, kid };
  }

  async codeVerifier(sessionId: string, kid: string): Promise<string | undefined> {
    const root = await this.keys.find(kid);
    return root ? verifier(root, sessionId) : undefined;
  }
}

function verifier(root: SigningKey, sessionId: string): string {
  // 43 characters of base64url: a valid RFC 7636 verifier.
  return mac(deriveKey(root, 'oauth2-pkce').key, sessionId);
}

function challenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier).digest('base64url');
}
