import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AgentCoreError, DecryptionFailure } from '../errors.js';

/** The port to KMS: data keys under a key, bound to an encryption context. */
export interface KeyService {
  generateDataKey(keyId: string, context: Record<string, string>): Promise<{ plaintext: Buffer; encrypted: Buffer; keyArn: string }>;
  decryptDataKey(encrypted: Buffer, context: Record<string, string>): Promise<Buffer>;
  /** A key's ARN and whether it can seal vault entries; undefined when it does not exist or cannot be seen. */
  describe(keyId: string): Promise<{ arn: string; usable: boolean } | undefined>;
}

/** What a vault item holds instead of tokens. */
export interface Envelope {
  /** The data key, encrypted by KMS under the vault key with the binding's encryption context. */
  edk: string;
  keyArn: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/**
 * Envelope encryption for the token vault. Each write gets a fresh data key from KMS, bound to
 * an encryption context naming workload, user and provider; the same context is the AES-GCM
 * additional data, so a ciphertext moved to another binding fails to decrypt even in a container
 * that still holds its data key in memory. Decrypted data keys are cached per container (by
 * their encrypted form), so a warm read makes no KMS call.
 */
export class EnvelopeCipher {
  private readonly dataKeys = new Map<string, { key: Buffer; at: number }>();

  /** Cached data keys expire, so a key disabled or revoked in KMS stops serving warm containers too. */
  constructor(
    private readonly keys: KeyService,
    private readonly maxCachedKeys = 1000,
    private readonly maxAgeMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  async seal(keyId: string, context: Record<string, string>, plaintext: string): Promise<Envelope> {
    const dataKey = await this.keys.generateDataKey(keyId, context);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', dataKey.plaintext, iv);
    cipher.setAAD(aad(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const edk = dataKey.encrypted.toString('base64');
    this.remember(edk, dataKey.plaintext);
    return { edk, keyArn: dataKey.keyArn, iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
  }

  async open(envelope: Envelope, context: Record<string, string>): Promise<string> {
    const cached = this.dataKeys.get(envelope.edk);
    let dataKey = cached && this.now() - cached.at < this.maxAgeMs ? cached.key : undefined;
    if (!dataKey) {
      try {
        dataKey = await this.keys.decryptDataKey(Buffer.from(envelope.edk, 'base64'), context);
      } catch (error) {
        // A key service throttled or unavailable says nothing about the entry (see KmsKeyService).
        if (error instanceof AgentCoreError) throw error;
        throw new DecryptionFailure('The token vault entry cannot be decrypted for this workload, user and provider');
      }
      this.remember(envelope.edk, dataKey);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(envelope.iv, 'base64'));
      decipher.setAAD(aad(context));
      decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionFailure('The token vault entry cannot be decrypted for this workload, user and provider');
    }
  }

  private remember(edk: string, key: Buffer) {
    if (this.dataKeys.size >= this.maxCachedKeys) this.dataKeys.delete(this.dataKeys.keys().next().value!);
    this.dataKeys.set(edk, { key, at: this.now() });
  }
}

function aad(context: Record<string, string>): Buffer {
  return Buffer.from(JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])), 'utf8');
}
