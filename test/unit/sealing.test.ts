import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mac, macMatches, seal, unseal } from '../../lib/keys/sealing.js';
import { deriveKey, keyFromSecret, type ServiceKeys } from '../../lib/keys/service-keys.js';
import { ConsentSecrets } from '../../lib/oauth2/consent.js';
import { PageTokens } from '../../lib/pagination.js';
import { WorkloadAccessTokens } from '../../lib/workload-access-tokens/workload-access-token.js';

/**
 * The sealing and MAC layouts are on the wire: WATs, OAuth2 states and page tokens handed out
 * before the shared module existed must still open. The reference functions below are the code
 * that sealed them (consent.ts and workload-access-token.ts before the merge), kept verbatim.
 */
function oldSeal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

function oldOpen(key: Buffer, sealed: string): string | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

const root = keyFromSecret('a service key secret of at least thirty-two characters');
/** The service key ring in memory: one key, as a never-rotated deployment has. */
const keys: ServiceKeys = { current: async () => root, find: async (kid) => (kid === root.kid ? root : undefined) };

describe('sealing', () => {
  const key = randomBytes(32);

  it('opens what the old code sealed, and the old code opens what it seals', () => {
    expect(unseal(key, oldSeal(key, 'session-id ✓'))).toBe('session-id ✓');
    expect(oldOpen(key, seal(key, 'a user JWT'))).toBe('a user JWT');
  });

  it('refuses a value sealed under another key, altered, truncated or not base64url', () => {
    const sealed = seal(key, 'secret');
    const altered = `${sealed.slice(0, -2)}${sealed.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of [seal(randomBytes(32), 'secret'), altered, sealed.slice(0, 20), '', '!!!']) expect(unseal(key, bad)).toBeUndefined();
  });

  it('MACs as HMAC-SHA256 in base64url, and compares only exact matches', () => {
    const expected = createHmac('sha256', key).update('payload').digest('base64url');
    expect(mac(key, 'payload')).toBe(expected);
    expect(macMatches(key, 'payload', expected)).toBe(true);
    for (const bad of [expected.slice(0, -1), `${expected}A`, '', mac(key, 'other')]) expect(macMatches(key, 'payload', bad)).toBe(false);
  });
});

describe('values issued before the shared sealing module', () => {
  it('an OAuth2 state sealed by the old code names its session', async () => {
    const state = `${oldSeal(deriveKey(root, 'oauth2-state').key, 'the-session')}.${root.kid}`;
    expect(await new ConsentSecrets(keys).verifyState(state)).toEqual({ sessionId: 'the-session', kid: root.kid });
    const issued = await new ConsentSecrets(keys).issue('another');
    expect(oldOpen(deriveKey(root, 'oauth2-state').key, issued.state.split('.')[0]!)).toBe('another');
  });

  it('the PKCE verifier is still the HMAC of the session id', async () => {
    const old = createHmac('sha256', deriveKey(root, 'oauth2-pkce').key).update('the-session').digest('base64url');
    expect(await new ConsentSecrets(keys).codeVerifier('the-session', root.kid)).toBe(old);
  });

  it('a WAT signed and sealed by the old code verifies, with its user token', async () => {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const key = deriveKey(root, 'workload-access-token');
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'urn:test', sub: 'agent', wct: 1, usr: { kind: 'id', id: 'u' }, utk: oldSeal(deriveKey(root, 'wat-user-token').key, 'user.jwt.value'), iat: now, exp: now + 60, jti: 'j' };
    const input = `${b64({ typ: 'wat+jwt', alg: 'HS256', kid: key.kid })}.${b64(claims)}`;
    const token = `${input}.${createHmac('sha256', key.key).update(input).digest('base64url')}`;
    const principal = await new WorkloadAccessTokens(keys, { lifetimeSeconds: 900 }).verify('urn:test', token);
    expect(principal).toEqual({ workloadName: 'agent', workloadCreatedTime: 1, user: { kind: 'id', id: 'u' }, userToken: 'user.jwt.value' });
  });

  it('a page token signed by the old code decodes', async () => {
    const key = deriveKey(root, 'page-token');
    const payload = Buffer.from(JSON.stringify({ l: 'list', k: 'last' }), 'utf8').toString('base64url');
    const token = `${payload}.${key.kid}.${createHmac('sha256', key.key).update(payload).digest('base64url')}`;
    expect(await new PageTokens(keys).decode('list', token)).toBe('last');
    await expect(new PageTokens(keys).decode('list', `${token.slice(0, -1)}A`)).rejects.toThrow();
  });
});
