import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { deriveKey, type ServiceKeys, type SigningKey } from '../keys/service-keys.js';

export const SESSION_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/**
 * The secrets of a 3-legged consent, derived rather than stored: the `state` is the session id
 * with a MAC (a forged or altered state is refused before any lookup), and the PKCE verifier is
 * a MAC of the session id, recomputed at the callback, so no verifier sits in any table.
 */
export class ConsentSecrets {
  constructor(private readonly keys: ServiceKeys) {}

  newSessionId(): string {
    return randomBytes(32).toString('base64url');
  }

  async issue(sessionId: string): Promise<{ kid: string; state: string; codeChallenge: string }> {
    const root = await this.keys.current();
    return { kid: root.kid, state: `${sessionId}.${root.kid}.${mac(root, 'oauth2-state', sessionId)}`, codeChallenge: challenge(verifier(root, sessionId)) };
  }

  /** The session a state names, if its MAC is ours; undefined for anything forged or malformed. */
  async verifyState(state: string): Promise<{ sessionId: string; kid: string } | undefined> {
    const [sessionId, kid, given] = state.split('.');
    if (!sessionId || !kid || !given) return undefined;
    const root = await this.keys.find(kid);
    if (!root) return undefined;
    const expected = Buffer.from(mac(root, 'oauth2-state', sessionId));
    const actual = Buffer.from(given);
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? { sessionId, kid } : undefined;
  }

  async codeVerifier(sessionId: string, kid: string): Promise<string | undefined> {
    const root = await this.keys.find(kid);
    return root ? verifier(root, sessionId) : undefined;
  }
}

function mac(root: SigningKey, purpose: string, value: string): string {
  return createHmac('sha256', deriveKey(root, purpose).key).update(value).digest('base64url');
}

function verifier(root: SigningKey, sessionId: string): string {
  return mac(root, 'oauth2-pkce', sessionId); // 43 characters of base64url: a valid RFC 7636 verifier
}

function challenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier).digest('base64url');
}
