import { constants, createHash, createPublicKey, privateEncrypt, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';

/**
 * KMS's Sign, GetPublicKey and DescribeKey answered from local keys, as an SDK middleware on a
 * real KMS client. The emulator signs PS256 with the maximum salt length (KMS uses the digest's
 * length, which JOSE verifiers require) and ignores MessageType DIGEST (it hashes the digest
 * again); this signs as KMS does: RAW messages hashed with SHA-256, DIGEST messages taken as the
 * hash, PSS with a 32-byte salt, ECDSA as DER.
 */
export type KmsAlgorithm = 'RSASSA_PKCS1_V1_5_SHA_256' | 'RSASSA_PSS_SHA_256' | 'ECDSA_SHA_256';

export interface LocalKey {
  privateKey: KeyObject;
  keySpec: string;
  keyUsage?: string;
  enabled?: boolean;
  /** The key policy shuts this service out: every call is AccessDeniedException. */
  denied?: boolean;
}

/** SHA-256's DigestInfo prefix (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

export function signLikeKms(key: KeyObject, algorithm: KmsAlgorithm, message: Buffer, messageType: 'RAW' | 'DIGEST'): Buffer {
  if (messageType === 'RAW') {
    const options = algorithm === 'RSASSA_PSS_SHA_256' ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : {};
    return sign('sha256', message, { key, ...options, dsaEncoding: 'der' });
  }
  if (message.length !== 32) throw Object.assign(new Error('Digest is invalid length for algorithm'), { name: 'ValidationException' });
  if (algorithm === 'RSASSA_PKCS1_V1_5_SHA_256') return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, message]));
  if (algorithm === 'RSASSA_PSS_SHA_256') return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, pssEncode(message, key.asymmetricKeyDetails!.modulusLength!));
  return ecdsaP256(key, message);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of a SHA-256 hash, salt of 32 bytes, MGF1 with SHA-256. */
function pssEncode(hash: Buffer, modulusBits: number): Buffer {
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(32);
  const h = createHash('sha256').update(Buffer.concat([Buffer.alloc(8), hash, salt])).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 32 - 32 - 2), Buffer.from([1]), salt]);
  const mask = mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const em = Buffer.concat([db, h, Buffer.from([0xbc])]);
  // RSA_NO_PADDING takes exactly the modulus' length; emLen is one less when modulusBits - 1 is a multiple of 8.
  return em.length === Math.ceil(modulusBits / 8) ? em : Buffer.concat([Buffer.alloc(1), em]);
}

function mgf1(seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  for (let counter = 0; Buffer.concat(out).length < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    out.push(createHash('sha256').update(Buffer.concat([seed, c])).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

// P-256 (FIPS 186-4 D.1.2.3), for ECDSA over a digest, which node:crypto does not offer.
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const A = P - 3n;
const G: [bigint, bigint] = [0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n, 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n];
const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
const inverse = (a: bigint, m: bigint) => power(mod(a, m), m - 2n, m);
function power(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  for (let b = base, e = exponent; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) result = (result * b) % m;
  return result;
}
function add(p: [bigint, bigint] | undefined, q: [bigint, bigint] | undefined): [bigint, bigint] | undefined {
  if (!p) return q;
  if (!q) return p;
  if (p[0] === q[0] && mod(p[1] + q[1], P) === 0n) return undefined;
  const slope = p[0] === q[0] ? mod((3n * p[0] * p[0] + A) * inverse(2n * p[1], P), P) : mod((q[1] - p[1]) * inverse(q[0] - p[0], P), P);
  const x = mod(slope * slope - p[0] - q[0], P);
  return [x, mod(slope * (p[0] - x) - p[1], P)];
}
function multiply(k: bigint, point: [bigint, bigint]): [bigint, bigint] {
  let result: [bigint, bigint] | undefined;
  for (let addend: [bigint, bigint] | undefined = point, e = k; e > 0n; e >>= 1n, addend = add(addend, addend)) if (e & 1n) result = add(result, addend);
  return result!;
}
const toBig = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);
function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  const body = bytes[0]! & 0x80 ? Buffer.concat([Buffer.alloc(1), bytes]) : bytes;
  return Buffer.concat([Buffer.from([0x02, body.length]), body]);
}

function ecdsaP256(key: KeyObject, digest: Buffer): Buffer {
  const d = toBig(Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url'));
  const z = toBig(digest);
  for (;;) {
    const k = mod(toBig(randomBytes(40)), N - 1n) + 1n;
    const r = mod(multiply(k, G)[0], N);
    const s = mod(inverse(k, N) * (z + r * d), N);
    if (r === 0n || s === 0n) continue;
    const body = Buffer.concat([derInteger(r), derInteger(s)]);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]);
  }
}

/** What the middleware was asked, per command. */
export interface KmsCalls {
  Sign: { keyId: string; algorithm: string; messageType: string; messageBytes: number }[];
  GetPublicKey: number;
  DescribeKey: number;
}

/** Answers Sign, GetPublicKey and DescribeKey for `keys` (by ARN); anything else goes on to the emulator. */
export function answerLikeKms(client: KMSClient, keys: Map<string, LocalKey>): KmsCalls {
  const calls: KmsCalls = { Sign: [], GetPublicKey: 0, DescribeKey: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { KeyId?: string; Message?: Uint8Array; MessageType?: 'RAW' | 'DIGEST'; SigningAlgorithm?: KmsAlgorithm };
      const key = input.KeyId ? keys.get(input.KeyId) : undefined;
      if (!key) return next(args);
      const metadata = { $metadata: {} };
      if (key.denied) throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      const disabled = () => Object.assign(new Error(`${input.KeyId} is disabled.`), { name: 'DisabledException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      switch (context.commandName) {
        case 'SignCommand': {
          if (key.enabled === false) throw disabled();
          const message = Buffer.from(input.Message!);
          calls.Sign.push({ keyId: input.KeyId!, algorithm: input.SigningAlgorithm!, messageType: input.MessageType ?? 'RAW', messageBytes: message.length });
          const signature = signLikeKms(key.privateKey, input.SigningAlgorithm!, message, input.MessageType ?? 'RAW');
          return { output: { ...metadata, KeyId: input.KeyId, Signature: new Uint8Array(signature), SigningAlgorithm: input.SigningAlgorithm } } as never;
        }
        case 'GetPublicKeyCommand':
          calls.GetPublicKey++;
          if (key.enabled === false) throw disabled();
          return {
            output: { ...metadata, KeyId: input.KeyId, KeySpec: key.keySpec, KeyUsage: key.keyUsage ?? 'SIGN_VERIFY', PublicKey: new Uint8Array(createPublicKey(key.privateKey).export({ format: 'der', type: 'spki' })) },
          } as never;
        case 'DescribeKeyCommand':
          calls.DescribeKey++;
          return {
            output: { ...metadata, KeyMetadata: { KeyId: input.KeyId, Arn: input.KeyId, Enabled: key.enabled !== false, KeyState: key.enabled === false ? 'Disabled' : 'Enabled', KeySpec: key.keySpec, KeyUsage: key.keyUsage ?? 'SIGN_VERIFY' } },
          } as never;
        default:
          return next(args);
      }
    },
    { step: 'initialize', name: 'answerLikeKms' },
  );
  return calls;
}
