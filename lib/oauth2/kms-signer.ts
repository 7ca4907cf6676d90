import { DescribeKeyCommand, GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { awsFaultOf, toAgentCoreError } from '../aws/errors.js';
import type { AssertionSigner } from './client-assertion.js';

/** Why a customer's signing key cannot be used, as KMS said it. */
export type SigningKeyProblem = 'not-found' | 'access-denied' | 'disabled' | 'unusable';

/** What the create and update checks need to know of a customer's signing key. */
export interface SigningKeyFacts {
  arn: string;
  enabled: boolean;
  keyState?: string;
  keyUsage?: string;
  keySpec?: string;
  /** SubjectPublicKeyInfo, DER. */
  publicKey: Uint8Array;
}

/** A KMS refusal to sign (the key was disabled, deleted or its policy changed after the provider was created). */
export class SigningKeyUnusable extends Error {
  override readonly name = 'SigningKeyUnusable';
  constructor(readonly problem: SigningKeyProblem) {
    super(`the signing key cannot be used: ${problem}`);
  }
}

function problemOf(error: unknown): SigningKeyProblem {
  switch ((error as { name?: string })?.name) {
    case 'NotFoundException':
      return 'not-found';
    case 'AccessDeniedException':
      return 'access-denied';
    case 'DisabledException':
      return 'disabled';
    default:
      return 'unusable'; // KMSInvalidStateException (pending deletion, pending import), InvalidKeyUsageException, ...
  }
}

/** A throttle or an outage stays retryable (ThrottlingException / 503); any other refusal is the key's. */
function refusalOf(error: unknown): SigningKeyUnusable {
  if (awsFaultOf(error)) throw toAgentCoreError(error);
  return new SigningKeyUnusable(problemOf(error));
}

/**
 * Customers' KMS signing keys: what the checks at create and update read (DescribeKey,
 * GetPublicKey), and the one Sign call per client assertion. The private key never leaves KMS.
 */
export class KmsSigningKeys {
  constructor(private readonly client: KMSClient) {}

  readonly sign: AssertionSigner = async (keyArn, algorithm, toSign) => {
    try {
      const result = await this.client.send(
        new SignCommand({
          KeyId: keyArn,
          SigningAlgorithm: algorithm,
          ...('digest' in toSign ? { Message: toSign.digest, MessageType: 'DIGEST' } : { Message: toSign.message, MessageType: 'RAW' }),
        }),
      );
      return Buffer.from(result.Signature!);
    } catch (error) {
      throw refusalOf(error);
    }
  };

  /** The key's metadata and public half, or why this service cannot read them. */
  async inspect(keyArn: string): Promise<SigningKeyFacts | { problem: SigningKeyProblem }> {
    try {
      const [{ KeyMetadata: m }, key] = await Promise.all([
        this.client.send(new DescribeKeyCommand({ KeyId: keyArn })),
        this.client.send(new GetPublicKeyCommand({ KeyId: keyArn })),
      ]);
      if (!key.PublicKey) return { problem: 'unusable' };
      return {
        arn: m?.Arn ?? keyArn,
        enabled: m?.Enabled === true,
        keyState: m?.KeyState,
        keyUsage: key.KeyUsage ?? m?.KeyUsage,
        keySpec: key.KeySpec ?? m?.KeySpec,
        publicKey: key.PublicKey,
      };
    } catch (error) {
      return { problem: refusalOf(error).problem };
    }
  }
}
