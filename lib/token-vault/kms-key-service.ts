import { DecryptCommand, DescribeKeyCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { awsFaultOf, toAgentCoreError } from '../aws/errors.js';
import type { KeyService } from './envelope.js';

/** KMS behind the KeyService port. Decrypt names no key: the ciphertext says which key made it. */
export class KmsKeyService implements KeyService {
  constructor(private readonly client: KMSClient) {}

  async generateDataKey(keyId: string, context: Record<string, string>) {
    const result = await this.client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }));
    return { plaintext: Buffer.from(result.Plaintext!), encrypted: Buffer.from(result.CiphertextBlob!), keyArn: result.KeyId! };
  }

  async decryptDataKey(encrypted: Buffer, context: Record<string, string>) {
    try {
      const result = await this.client.send(new DecryptCommand({ CiphertextBlob: encrypted, EncryptionContext: context }));
      return Buffer.from(result.Plaintext!);
    } catch (error) {
      // The envelope turns any failure into DecryptionFailure; a throttle or an outage must stay retryable.
      throw awsFaultOf(error) ? toAgentCoreError(error) : error;
    }
  }

  async describe(keyId: string) {
    try {
      const { KeyMetadata: m } = await this.client.send(new DescribeKeyCommand({ KeyId: keyId }));
      if (!m) return undefined;
      // KeyUsage defaults to ENCRYPT_DECRYPT when a key was created without one.
      return { arn: m.Arn!, usable: m.Enabled === true && (m.KeyUsage ?? 'ENCRYPT_DECRYPT') === 'ENCRYPT_DECRYPT' && m.KeySpec === 'SYMMETRIC_DEFAULT' };
    } catch (error) {
      // Only a refusal means the key is unusable; a throttle or an outage is the caller's to retry.
      if (awsFaultOf(error)) throw error;
      return undefined;
    }
  }
}
