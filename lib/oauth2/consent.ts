import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
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
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', deriveKey(root, 'oauth2-state').key, iv);
    const sealed = Buffer.concat([cipher.update(sessionId, 'utf8'), cipher.final()]);
    const state = `${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}.${root.kid}`;
    return { kid: root.kid, state, codeChallenge: challenge(verifier(root, sessionId)) };
  }

  /** The session a state names, if we sealed it; undefined for anything forged or malformed. */
  async verifyState(state: string): Promise<{ sessionId: string; kid: string } | undefined> {
    const [sealed, kid, extra] = state.split('.');
    if (!sealed || !kid || extra !== undefined) return undefined;
    const root = await this.keys.find(kid);
    if (!root) return undefined;
    try {
      const raw = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', deriveKey(root, 'oauth2-state').key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const sessionId = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      return { sessionId, kid };
    } catch {
      return undefined;
    }
  }

  async codeVerifier(sessionId: string, kid: string): Promise<string | undefined> {
    const root = await this.keys.find(kid);
    return root ? verifier(root, sessionId) : undefined;
  }
}

function verifier(root: SigningKey, sessionId: string): string {
  // 43 characters of base64url: a valid RFC 7636 verifier.
  return createHmac('sha256', deriveKey(root, 'oauth2-pkce').key).update(sessionId).digest('base64url');
}

function challenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier).digest('base64url');
}
