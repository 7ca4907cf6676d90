import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The two primitives every self-issued value is built from (workload access tokens, OAuth2
 * state, page tokens, PKCE verifiers), each under a key derived for its one purpose. Their
 * layouts are on the wire in tokens and states already handed out: changing them would refuse
 * those until they expire.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM, as base64url of iv (12 bytes) | tag (16 bytes) | ciphertext: readable and alterable by no one without the key. */
export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** What `seal` sealed under this key; undefined for anything forged, altered or malformed. */
export function unseal(key: Buffer, sealed: string): string | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** HMAC-SHA256 of `data`, base64url (43 characters). */
export function mac(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data).digest('base64url');
}

/** Whether `given` is the MAC of `data` under this key, compared in constant time so its bytes cannot be guessed one by one. */
export function macMatches(key: Buffer, data: string, given: string): boolean {
  const expected = Buffer.from(mac(key, data));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
