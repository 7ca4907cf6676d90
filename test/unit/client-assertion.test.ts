import { describe, expect, it } from 'vitest';
import { constants, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import {
  ASSERTION_LIFETIME_SECONDS,
  checkAdditionalClaims,
  clientAssertion,
  derToJose,
  jwkThumbprint,
  publicJwkOf,
  signingInput,
  type JwsAlgorithm,
  type PrivateKeyJwtSettings,
} from '../../lib/oauth2/client-assertion.js';
import { KmsSigningKeys, SigningKeyUnusable } from '../../lib/oauth2/kms-signer.js';
import { resolvePrivateKeyJwt, wantsPrivateKeyJwt } from '../../lib/oauth2/private-key-jwt.js';
import { ThrottlingException, ValidationException } from '../../lib/errors.js';
import { answerLikeKms, type LocalKey } from '../setup/local-kms.js';

const WHERE = { partition: 'aws', region: 'us-east-1' };
const arnOf = (n: number) => `arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spki = (key: KeyObject) => createPublicKey(key).export({ format: 'der', type: 'spki' });

/** A real KMS client whose Sign, GetPublicKey and DescribeKey a middleware answers with local keys; nothing leaves the process. */
function kmsWith(keys: Record<string, LocalKey>) {
  const client = new KMSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const calls = answerLikeKms(client, new Map(Object.entries(keys)));
  return { keys: new KmsSigningKeys(client), calls };
}

/** Verifies a compact JWS as a JOSE verifier does (RFC 7518 §3): PSS with a salt of the hash's length, ECDSA as r || s. */
function joseVerify(jwt: string, publicKey: KeyObject, alg: JwsAlgorithm): boolean {
  const [header, payload, signature] = jwt.split('.');
  const options =
    alg === 'PS256' ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {};
  return verify('sha256', Buffer.from(`${header}.${payload}`), { key: publicKey, ...options }, Buffer.from(signature!, 'base64url'));
}

const decode = (jwt: string) => jwt.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));

describe('client assertions (RFC 7523 §2.2)', () => {
  const settings: PrivateKeyJwtSettings = { kmsKeyArn: arnOf(1), signingAlgorithm: 'RS256', kid: 'the-kid', additionalHeaderClaims: { x5u: 'https://k.example' }, additionalPayloadClaims: { tenant: 'acme' } };

  it('sets iss = sub = client id, aud, jti, iat and a 60 s exp, with the additional claims', () => {
    const [header, payload] = decode(`${signingInput(settings, 'client-1', 'https://as.example', 1_700_000_000_500, 'jti-1')}.x`);
    expect(header).toEqual({ x5u: 'https://k.example', alg: 'RS256', typ: 'JWT', kid: 'the-kid' });
    expect(payload).toEqual({ aud: 'https://as.example', tenant: 'acme', iss: 'client-1', sub: 'client-1', jti: 'jti-1', iat: 1_700_000_000, exp: 1_700_000_000 + ASSERTION_LIFETIME_SECONDS });
  });

  it('lets an additional aud replace the issuer, and makes a new jti each time', () => {
    const withAud = { ...settings, additionalPayloadClaims: { aud: 'https://as.example/token' } };
    const [, a] = decode(`${signingInput(withAud, 'c', 'https://as.example', 0)}.x`);
    const [, b] = decode(`${signingInput(withAud, 'c', 'https://as.example', 0)}.x`);
    expect(a.aud).toBe('https://as.example/token');
    expect(a.jti).not.toBe(b.jti);
  });

  it.each(['alg', 'typ', 'kid', 'iss', 'sub', 'exp', 'iat', 'nbf', 'jti'])('refuses the reserved claim %s, naming the field', (name) => {
    const error = (() => {
      try {
        checkAdditionalClaims({ ok: 'x', [name]: 'y' }, 'cfg.additionalPayloadClaims');
      } catch (e) {
        return e as ValidationException;
      }
    })();
    expect(error).toBeInstanceOf(ValidationException);
    expect(error!.fieldList![0]!.name).toBe(`cfg.additionalPayloadClaims.${name}`);
  });

  it('needs the method and the config together, and no secret with them', () => {
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as ValidationException).fieldList![0]!.name;
      }
    };
    expect(field(() => wantsPrivateKeyJwt({ clientAuthenticationMethod: 'PRIVATE_KEY_JWT' }, 'c'))).toBe('c.privateKeyJwtConfig');
    expect(field(() => wantsPrivateKeyJwt({ privateKeyJwtConfig: {} }, 'c'))).toBe('c.clientAuthenticationMethod');
    expect(field(() => wantsPrivateKeyJwt({ clientAuthenticationMethod: 'PRIVATE_KEY_JWT', privateKeyJwtConfig: {}, clientSecret: 's' }, 'c'))).toBe('c.clientSecret');
    expect(wantsPrivateKeyJwt({ clientAuthenticationMethod: 'PRIVATE_KEY_JWT', privateKeyJwtConfig: {}, clientSecret: '' }, 'c')).toBe(true);
    expect(wantsPrivateKeyJwt({ clientAuthenticationMethod: 'CLIENT_SECRET_POST' }, 'c')).toBe(false);
  });
});

describe('DER to JOSE ECDSA signatures', () => {
  it('turns what node (and KMS) sign as DER into the r || s that verifies as ieee-p1363', () => {
    for (let i = 0; i < 50; i++) {
      const data = Buffer.from(`message ${i}`);
      const der = sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'der' });
      const jose = derToJose(der, 32);
      expect(jose.length).toBe(64);
      expect(verify('sha256', data, { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
    }
  });

  it('drops the sign byte of a high r and pads a short s', () => {
    const r = Buffer.concat([Buffer.from([0x00, 0x80]), Buffer.alloc(31, 1)]);
    const s = Buffer.from([0x05]);
    const der = Buffer.concat([Buffer.from([0x30, 2 + r.length + 2 + s.length, 0x02, r.length]), r, Buffer.from([0x02, s.length]), s]);
    expect(derToJose(der, 32).toString('hex')).toBe(`80${'01'.repeat(31)}${'00'.repeat(31)}05`);
  });

  it.each([
    ['not a sequence', Buffer.from([0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])],
    ['a wrong length', Buffer.from([0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])],
    ['an integer too large', Buffer.concat([Buffer.from([0x30, 0x25, 0x02, 0x21]), Buffer.alloc(33, 0x7f), Buffer.from([0x02, 0x01, 0x01])])],
  ])('refuses %s', (_, der) => {
    expect(() => derToJose(der, 32)).toThrow();
  });
});

describe('the kid: the RFC 7638 thumbprint of the public key', () => {
  it('matches the RFC 7638 §3.1 example', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('is what the public JWK printed for registration carries', () => {
    const jwk = publicJwkOf(spki(ec.privateKey), 'ES256');
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'sig', alg: 'ES256' });
    expect(jwk.d).toBeUndefined();
    expect(jwk.kid).toBe(jwkThumbprint(jwk));
  });
});

describe('signing with a KMS key (Sign answered as KMS does)', () => {
  it.each([
    ['RS256', rsa, 'RSA_2048'],
    ['PS256', rsa, 'RSA_2048'],
    ['ES256', ec, 'ECC_NIST_P256'],
  ] as const)('%s: checks the key, keeps its kid, and signs what a JOSE verifier accepts: one Sign per assertion and no other call', async (alg, pair, keySpec) => {
    const { keys, calls } = kmsWith({ [arnOf(1)]: { privateKey: pair.privateKey, keySpec } });
    const settings = await resolvePrivateKeyJwt({ privateKeySource: { kmsKeySource: { kmsKeyArn: arnOf(1) } }, signingAlgorithm: alg }, 'cfg', keys, WHERE);
    expect(settings.kid).toBe(publicJwkOf(spki(pair.privateKey)).kid);
    expect(calls).toMatchObject({ DescribeKey: 1, GetPublicKey: 1 });
    for (let i = 0; i < 3; i++) {
      const jwt = await clientAssertion(settings, 'client-1', 'https://as.example', keys.sign, Date.now());
      expect(joseVerify(jwt, pair.publicKey, alg)).toBe(true);
      expect(decode(jwt)[0]).toEqual({ alg, typ: 'JWT', kid: settings.kid });
    }
    expect(calls.Sign.map((c) => c.messageType)).toEqual(['RAW', 'RAW', 'RAW']);
    expect(calls).toMatchObject({ DescribeKey: 1, GetPublicKey: 1 });
  });

  it.each([
    ['RS256', rsa, 'RSA_2048'],
    ['PS256', rsa, 'RSA_2048'],
    ['ES256', ec, 'ECC_NIST_P256'],
  ] as const)('%s: sends the SHA-256 digest (MessageType DIGEST) when the claims exceed the 4 KB KMS signs itself', async (alg, pair, keySpec) => {
    const { keys, calls } = kmsWith({ [arnOf(2)]: { privateKey: pair.privateKey, keySpec } });
    const big = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`claim${i}`, 'v'.repeat(2048)]));
    const settings = await resolvePrivateKeyJwt({ privateKeySource: { kmsKeySource: { kmsKeyArn: arnOf(2) } }, signingAlgorithm: alg, additionalPayloadClaims: big }, 'cfg', keys, WHERE);
    const jwt = await clientAssertion(settings, 'client-1', 'https://as.example', keys.sign, Date.now());
    expect(joseVerify(jwt, pair.publicKey, alg)).toBe(true);
    expect(calls.Sign).toEqual([{ keyId: arnOf(2), algorithm: { RS256: 'RSASSA_PKCS1_V1_5_SHA_256', PS256: 'RSASSA_PSS_SHA_256', ES256: 'ECDSA_SHA_256' }[alg], messageType: 'DIGEST', messageBytes: 32 }]);
  });

  const refusal = async (key: LocalKey, alg: JwsAlgorithm = 'RS256', arn = arnOf(3)) => {
    const { keys } = kmsWith({ [arnOf(3)]: key });
    try {
      await resolvePrivateKeyJwt({ privateKeySource: { kmsKeySource: { kmsKeyArn: arn } }, signingAlgorithm: alg }, 'cfg', keys, WHERE);
    } catch (error) {
      return error as ValidationException;
    }
    throw new Error('expected a refusal');
  };

  it.each([
    ['a disabled key', { privateKey: rsa.privateKey, keySpec: 'RSA_2048', enabled: false }, /not enabled|disabled/],
    ['a key closed to the service', { privateKey: rsa.privateKey, keySpec: 'RSA_2048', denied: true }, /agentcore-identity-access/],
    ['an encryption key', { privateKey: rsa.privateKey, keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' }, /SIGN_VERIFY/],
    ['a 1024-bit key', { privateKey: rsa.privateKey, keySpec: 'RSA_1024' }, /RSA_2048, RSA_3072, RSA_4096/],
  ] as const)('refuses %s, naming kmsKeyArn and the problem', async (_, key, message) => {
    const error = await refusal(key as LocalKey);
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.fieldList![0]).toMatchObject({ name: 'cfg.privateKeySource.kmsKeySource.kmsKeyArn', message: expect.stringMatching(message) });
  });

  it('refuses a key of another region or partition before asking KMS', async () => {
    for (const arn of [arnOf(3).replace('us-east-1', 'eu-west-1'), arnOf(3).replace('arn:aws:', 'arn:aws-cn:')]) {
      const error = await refusal({ privateKey: rsa.privateKey, keySpec: 'RSA_2048' }, 'RS256', arn);
      expect(error.fieldList![0]!.message).toMatch(/this service's region/);
    }
  });

  it('keeps a KMS throttle retryable, and says when a key refuses to sign after the provider was made', async () => {
    const client = new KMSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
    client.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      },
      { step: 'initialize' },
    );
    await expect(new KmsSigningKeys(client).inspect(arnOf(4))).rejects.toBeInstanceOf(ThrottlingException);
    const { keys } = kmsWith({ [arnOf(5)]: { privateKey: rsa.privateKey, keySpec: 'RSA_2048', enabled: false } });
    const failure = await keys.sign(arnOf(5), 'RSASSA_PKCS1_V1_5_SHA_256', { message: Buffer.from('x') }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SigningKeyUnusable);
    expect((failure as SigningKeyUnusable).problem).toBe('disabled');
  });
});
