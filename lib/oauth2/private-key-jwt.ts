import { ValidationException } from '../errors.js';
import { checkAdditionalClaims, JWS_ALGORITHMS, publicJwkOf, type JwsAlgorithm, type PrivateKeyJwtSettings } from './client-assertion.js';
import type { SigningKeyFacts, SigningKeyProblem } from './kms-signer.js';

/** The port the create and update checks read a customer's key through (KmsSigningKeys). */
export interface SigningKeyInspector {
  inspect(keyArn: string): Promise<SigningKeyFacts | { problem: SigningKeyProblem }>;
}

interface PrivateKeyJwtInput {
  privateKeySource?: { kmsKeySource?: { kmsKeyArn?: string } };
  signingAlgorithm?: JwsAlgorithm;
  additionalHeaderClaims?: Record<string, string>;
  additionalPayloadClaims?: Record<string, string>;
}

interface CustomConfigInput {
  clientAuthenticationMethod?: string;
  privateKeyJwtConfig?: PrivateKeyJwtInput;
  clientSecret?: string;
  clientSecretSource?: string;
  clientSecretConfig?: unknown;
}

const PROBLEMS: Record<SigningKeyProblem, string> = {
  'not-found': 'names no KMS key that exists',
  'access-denied':
    'names a KMS key this service may not use: tag it agentcore-identity-access=<service>-<stage> and let its key policy allow kms:DescribeKey, kms:GetPublicKey and kms:Sign to the service',
  disabled: 'names a KMS key that is disabled',
  unusable: 'names a KMS key that cannot be used now (pending deletion or import)',
};

/**
 * Whether the request asks for PRIVATE_KEY_JWT, with the members that go with it: the method
 * and privateKeyJwtConfig come together, and no client secret (it would never be sent). An
 * empty clientSecret counts as none. Every refusal names the field.
 */
export function wantsPrivateKeyJwt(config: CustomConfigInput, field: string): boolean {
  const method = config.clientAuthenticationMethod === 'PRIVATE_KEY_JWT';
  if (method && !config.privateKeyJwtConfig) throw ValidationException.field(`${field}.privateKeyJwtConfig`, 'is required when clientAuthenticationMethod is PRIVATE_KEY_JWT');
  if (!method && config.privateKeyJwtConfig) throw ValidationException.field(`${field}.clientAuthenticationMethod`, 'must be PRIVATE_KEY_JWT when privateKeyJwtConfig is given');
  if (!method) return false;
  const unused = 'must not be given when clientAuthenticationMethod is PRIVATE_KEY_JWT: the client authenticates with an assertion signed by the KMS key, never with a secret';
  if (config.clientSecret) throw ValidationException.field(`${field}.clientSecret`, unused);
  if (config.clientSecretConfig !== undefined) throw ValidationException.field(`${field}.clientSecretConfig`, unused);
  if (config.clientSecretSource === 'EXTERNAL') throw ValidationException.field(`${field}.clientSecretSource`, unused);
  return true;
}

/** The key ARN's region and partition must be the service's: KMS keys are regional, and so is signing. */
function checkKeyLocation(keyArn: string, field: string, where: { partition: string; region: string }) {
  const [, partition, , region] = keyArn.split(':');
  if (partition !== where.partition || region !== where.region) {
    throw ValidationException.field(field, `names a KMS key in ${partition}/${region}; the key must be in this service's region (${where.region})`);
  }
}

/**
 * privateKeyJwtConfig, checked against the key as KMS describes it: it exists, is in this
 * region, is enabled, signs (SIGN_VERIFY), has a spec that makes the algorithm, and this service
 * may read it. The kid is the RFC 7638 thumbprint of its public key, kept with the provider, so
 * no vend reads the public key again.
 */
export async function resolvePrivateKeyJwt(input: PrivateKeyJwtInput, field: string, keys: SigningKeyInspector, where: { partition: string; region: string }): Promise<PrivateKeyJwtSettings> {
  const algorithm = input.signingAlgorithm;
  if (!algorithm) throw ValidationException.field(`${field}.signingAlgorithm`, 'is required');
  const keyArn = input.privateKeySource?.kmsKeySource?.kmsKeyArn;
  const keyField = `${field}.privateKeySource.kmsKeySource.kmsKeyArn`;
  if (!keyArn) throw ValidationException.field(`${field}.privateKeySource`, 'is required');
  checkAdditionalClaims(input.additionalHeaderClaims, `${field}.additionalHeaderClaims`);
  checkAdditionalClaims(input.additionalPayloadClaims, `${field}.additionalPayloadClaims`);
  checkKeyLocation(keyArn, keyField, where);
  const facts = await keys.inspect(keyArn);
  if ('problem' in facts) throw ValidationException.field(keyField, PROBLEMS[facts.problem]);
  if (!facts.enabled) throw ValidationException.field(keyField, `names a KMS key that is not enabled (${facts.keyState ?? 'disabled'})`);
  if (facts.keyUsage !== 'SIGN_VERIFY') throw ValidationException.field(keyField, `names a KMS key whose KeyUsage is ${facts.keyUsage}; it must be SIGN_VERIFY`);
  const specs = JWS_ALGORITHMS[algorithm].keySpecs;
  if (!facts.keySpec || !specs.includes(facts.keySpec)) {
    throw ValidationException.field(keyField, `names a key of spec ${facts.keySpec}, which cannot sign ${algorithm}: use a key of spec ${specs.join(', ')}`);
  }
  return {
    kmsKeyArn: keyArn,
    signingAlgorithm: algorithm,
    kid: publicJwkOf(facts.publicKey).kid!,
    ...(input.additionalHeaderClaims ? { additionalHeaderClaims: { ...input.additionalHeaderClaims } } : {}),
    ...(input.additionalPayloadClaims ? { additionalPayloadClaims: { ...input.additionalPayloadClaims } } : {}),
  };
}

/** privateKeyJwtConfig as outputs carry it (the claims too: configuration, not credentials). */
export function privateKeyJwtOutput(settings: PrivateKeyJwtSettings) {
  return {
    privateKeySource: { kmsKeySource: { kmsKeyArn: settings.kmsKeyArn } },
    signingAlgorithm: settings.signingAlgorithm,
    ...(settings.additionalHeaderClaims ? { additionalHeaderClaims: settings.additionalHeaderClaims } : {}),
    ...(settings.additionalPayloadClaims ? { additionalPayloadClaims: settings.additionalPayloadClaims } : {}),
  };
}
