import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { ValidationException } from '../errors.js';

/**
 * RFC 7523 §2.2 client assertions (`private_key_jwt`), built here and signed by a KMS key that
 * never leaves KMS (./kms-signer.ts). Pure: no SDK, no clock of its own, so the unit tests can
 * pin every byte.
 */
export type JwsAlgorithm = 'RS256' | 'PS256' | 'ES256';
export type KmsSigningAlgorithm = 'RSASSA_PKCS1_V1_5_SHA_256' | 'RSASSA_PSS_SHA_256' | 'ECDSA_SHA_256';

/** Per JWS algorithm: the KMS signing algorithm, and the key specs that can make it. */
export const JWS_ALGORITHMS: Record<JwsAlgorithm, { kms: KmsSigningAlgorithm; keySpecs: readonly string[] }> = {
  RS256: { kms: 'RSASSA_PKCS1_V1_5_SHA_256', keySpecs: ['RSA_2048', 'RSA_3072', 'RSA_4096'] },
  PS256: { kms: 'RSASSA_PSS_SHA_256', keySpecs: ['RSA_2048', 'RSA_3072', 'RSA_4096'] },
  ES256: { kms: 'ECDSA_SHA_256', keySpecs: ['ECC_NIST_P256'] },
};

/** What the service sets itself in every assertion; the additional claims cannot replace them. */
export const RESERVED_CLAIMS = ['alg', 'typ', 'kid', 'iss', 'sub', 'exp', 'iat', 'nbf', 'jti'] as const;

/** Short, as RFC 7523 §3 advises: an assertion is made for one request and sent at once. */
export const ASSERTION_LIFETIME_SECONDS = 60;

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** What a provider keeps of its privateKeyJwtConfig, resolved and checked at create or update. */
export interface PrivateKeyJwtSettings {
  kmsKeyArn: string;
  signingAlgorithm: JwsAlgorithm;
  /** RFC 7638 JWK thumbprint of the key's public half (what `npm run public-jwk` prints as kid). */
  kid: string;
  additionalHeaderClaims?: Record<string, string>;
  additionalPayloadClaims?: Record<string, string>;
}

/** Signs a SHA-256 digest, or a message, with a KMS key; returns the signature as KMS gives it (DER for ECDSA). */
export type AssertionSigner = (keyArn: string, algorithm: KmsSigningAlgorithm, toSign: { message: Buffer } | { digest: Buffer }) => Promise<Buffer>;

/**
 * KMS signs a message of at most 4,096 bytes itself; a longer one (additional claims may add
 * 20 KB) is hashed here and sent as its SHA-256 digest (MessageType DIGEST). Both give the same
 * signature: KMS hashes a RAW message with the algorithm's SHA-256.
 */
export const KMS_RAW_MESSAGE_MAX_BYTES = 4096;

/** Refuses additional claims that would replace one the service sets; names the field. */
export function checkAdditionalClaims(claims: Record<string, string> | undefined, field: string): void {
  for (const name of Object.keys(claims ?? {})) {
    if ((RESERVED_CLAIMS as readonly string[]).includes(name)) {
      throw ValidationException.field(`${field}.${name}`, `cannot be set: ${RESERVED_CLAIMS.join(', ')} are set by the service`);
    }
  }
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/**
 * The JWS signing input of one assertion: iss = sub = the client id, aud = the authorization
 * server's issuer identifier (or the additional `aud`), a fresh jti, iat now and exp 60 s on.
 */
export function signingInput(settings: PrivateKeyJwtSettings, clientId: string, audience: string, nowMs: number, jti: string = randomUUID()): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { ...settings.additionalHeaderClaims, alg: settings.signingAlgorithm, typ: 'JWT', kid: settings.kid };
  const payload = { aud: audience, ...settings.additionalPayloadClaims, iss: clientId, sub: clientId, jti, iat, exp: iat + ASSERTION_LIFETIME_SECONDS };
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
}

/** A signed client assertion: one Sign call of KMS. */
export async function clientAssertion(settings: PrivateKeyJwtSettings, clientId: string, audience: string, sign: AssertionSigner, nowMs: number): Promise<string> {
  const input = signingInput(settings, clientId, audience, nowMs);
  const bytes = Buffer.from(input, 'utf8');
  const algorithm = JWS_ALGORITHMS[settings.signingAlgorithm].kms;
  const toSign = bytes.length <= KMS_RAW_MESSAGE_MAX_BYTES ? { message: bytes } : { digest: createHash('sha256').update(bytes).digest() };
  const signature = await sign(settings.kmsKeyArn, algorithm, toSign);
  return `${input}.${base64url(algorithm === 'ECDSA_SHA_256' ? derToJose(signature, 32) : signature)}`;
}

/**
 * An ECDSA signature from its DER form (what KMS returns: SEQUENCE { INTEGER r, INTEGER s }) to
 * JOSE's fixed-width r || s (RFC 7518 §3.4), each integer unsigned, left-padded to `size` bytes.
 */
export function derToJose(der: Buffer, size: number): Buffer {
  let offset = 0;
  const expect = (tag: number) => {
    if (der[offset++] !== tag) throw new Error('not a DER ECDSA signature');
    let length = der[offset++]!;
    if (length & 0x80) {
      const bytes = length & 0x7f;
      length = 0;
      for (let i = 0; i < bytes; i++) length = (length << 8) | der[offset++]!;
    }
    return length;
  };
  const sequenceLength = expect(0x30);
  if (offset + sequenceLength !== der.length) throw new Error('not a DER ECDSA signature');
  const integer = () => {
    const length = expect(0x02);
    let value = der.subarray(offset, offset + length);
    offset += length;
    while (value.length > 1 && value[0] === 0) value = value.subarray(1);
    if (value.length > size) throw new Error('ECDSA integer larger than the curve');
    return Buffer.concat([Buffer.alloc(size - value.length), value]);
  };
  const r = integer();
  const s = integer();
  if (offset !== der.length) throw new Error('not a DER ECDSA signature');
  return Buffer.concat([r, s]);
}

/** The members of a public JWK that its RFC 7638 thumbprint covers, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, string[]> = { RSA: ['e', 'kty', 'n'], EC: ['crv', 'kty', 'x', 'y'] };

/** RFC 7638 JWK thumbprint (SHA-256, base64url): the kid of the key, stable for its life. */
export function jwkThumbprint(jwk: Record<string, unknown>): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty as string];
  if (!members) throw new Error(`no thumbprint for key type ${String(jwk.kty)}`);
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The public JWK to register at the authorization server, from KMS GetPublicKey's SubjectPublicKeyInfo (DER). */
export function publicJwkOf(spki: Uint8Array, algorithm?: JwsAlgorithm): Record<string, string> {
  const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' }) as Record<string, string>;
  return { ...jwk, kid: jwkThumbprint(jwk), use: 'sig', ...(algorithm ? { alg: algorithm } : {}) };
}
