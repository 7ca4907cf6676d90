import { createHash, hkdfSync } from 'node:crypto';

/** A symmetric key of the service's own, with an id that says which one signed a token. */
export interface SigningKey {
  kid: string;
  key: Buffer;
}

/**
 * The service's key ring: `current()` signs, `find(kid)` verifies. After a rotation the previous
 * key keeps verifying what it signed until those tokens expire.
 */
export interface ServiceKeys {
  current(): Promise<SigningKey>;
  find(kid: string): Promise<SigningKey | undefined>;
}

/**
 * Each use (workload access tokens, page tokens, OAuth state) gets its own key derived from the
 * root secret, so that a token of one kind can never be replayed as another.
 */
export function deriveKey(root: SigningKey, purpose: string): SigningKey {
  const key = Buffer.from(hkdfSync('sha256', root.key, Buffer.alloc(0), `agentcore-identity:${purpose}`, 32));
  return { kid: root.kid, key };
}

export function keyFromSecret(secretValue: string): SigningKey {
  const key = Buffer.from(secretValue, 'utf8');
  const kid = createHash('sha256').update(key).digest('base64url').slice(0, 16);
  return { kid, key };
}
