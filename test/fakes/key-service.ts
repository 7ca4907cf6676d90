import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyService } from '../../lib/token-vault/envelope.js';

/**
 * KMS in memory: data keys wrapped under a per-key master with the encryption context as AES-GCM
 * additional data, so unwrapping under another context fails as KMS's Decrypt does. Counts calls.
 */
export class InMemoryKeyService implements KeyService {
  private readonly masters = new Map<string, Buffer>();
  calls = { generateDataKey: 0, decryptDataKey: 0 };

  async generateDataKey(keyId: string, context: Record<string, string>) {
    this.calls.generateDataKey += 1;
    const keyArn = this.arnOf(keyId);
    const plaintext = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.master(keyArn), iv);
    cipher.setAAD(aad(context));
    const wrapped = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const encrypted = Buffer.concat([Buffer.from(`${keyArn}\n`), iv, cipher.getAuthTag(), wrapped]);
    return { plaintext, encrypted, keyArn };
  }

  async decryptDataKey(encrypted: Buffer, context: Record<string, string>): Promise<Buffer> {
    this.calls.decryptDataKey += 1;
    const newline = encrypted.indexOf(0x0a);
    const keyArn = encrypted.subarray(0, newline).toString();
    const rest = encrypted.subarray(newline + 1);
    const decipher = createDecipheriv('aes-256-gcm', this.master(keyArn), rest.subarray(0, 12));
    decipher.setAAD(aad(context));
    decipher.setAuthTag(rest.subarray(12, 28));
    return Buffer.concat([decipher.update(rest.subarray(28)), decipher.final()]);
  }

  async describe(keyId: string) {
    return { arn: this.arnOf(keyId), usable: true };
  }

  private arnOf(keyId: string): string {
    return keyId.startsWith('arn:') ? keyId : `arn:aws:kms:us-east-1:123456789012:key/${keyId}`;
  }

  private master(keyArn: string): Buffer {
    let key = this.masters.get(keyArn);
    if (!key) this.masters.set(keyArn, (key = randomBytes(32)));
    return key;
  }
}

function aad(context: Record<string, string>): Buffer {
  return Buffer.from(JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])));
}
