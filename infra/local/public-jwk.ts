import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { publicJwkOf, type JwsAlgorithm } from '../../lib/oauth2/client-assertion.js';

/**
 * `npm run public-jwk -- <kmsKeyArn> [RS256|PS256|ES256]`: prints, as a JWK Set, the public half
 * of a KMS signing key, to register at an authorization server for a PRIVATE_KEY_JWT provider.
 * Its kid is the RFC 7638 thumbprint, the kid the service puts in every assertion it signs with
 * that key. The private key never leaves KMS: this reads GetPublicKey only. It uses the SDK's
 * default credential chain and region; offline, source .agentcore-local.env first (its
 * AWS_ENDPOINT_URL_KMS points at the emulator).
 */
const ALGORITHMS: readonly JwsAlgorithm[] = ['RS256', 'PS256', 'ES256'];

async function main(args: string[]): Promise<number> {
  const [keyId, algorithm] = args;
  if (!keyId || (algorithm !== undefined && !ALGORITHMS.includes(algorithm as JwsAlgorithm))) {
    console.error('usage: npm run public-jwk -- <kmsKeyArn> [RS256|PS256|ES256]');
    return 2;
  }
  const key = await new KMSClient({}).send(new GetPublicKeyCommand({ KeyId: keyId }));
  if (key.KeyUsage !== 'SIGN_VERIFY') {
    console.error(`${keyId} is a ${key.KeyUsage} key; PRIVATE_KEY_JWT needs a SIGN_VERIFY key (RSA_2048/3072/4096 or ECC_NIST_P256)`);
    return 1;
  }
  // An EC P-256 key signs ES256 only; an RSA key RS256 or PS256, so alg is left out unless given.
  const jwk = publicJwkOf(key.PublicKey!, algorithm as JwsAlgorithm | undefined);
  if (!jwk.alg && jwk.crv === 'P-256') jwk.alg = 'ES256';
  console.log(JSON.stringify({ keys: [jwk] }, null, 2));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`public-jwk: ${error.name}: ${error.message}`);
    process.exit(1);
  },
);
