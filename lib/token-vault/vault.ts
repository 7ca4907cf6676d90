import { bindingId, encryptionContext, type BindingKey, type TokenVaultStore, type VaultBinding, type VaultTokens } from './store.js';
import type { EnvelopeCipher, Envelope } from './envelope.js';

/**
 * The token vault: tokens in, tokens out, sealed per binding with the vault's current key.
 * Reading needs no KMS call once a data key is cached; writing always asks KMS for a fresh one.
 */
export class TokenVault {
  constructor(
    readonly store: TokenVaultStore,
    private readonly cipher: EnvelopeCipher,
    private readonly vaultKeyId: () => Promise<string>,
    private readonly now: () => number = Date.now,
  ) {}

  id(key: BindingKey): string {
    return bindingId(key);
  }

  async open(binding: VaultBinding): Promise<VaultTokens> {
    return JSON.parse(await this.cipher.open(binding.envelope, encryptionContext(binding)));
  }

  async seal(context: Record<string, string>, tokens: VaultTokens): Promise<Envelope> {
    return this.cipher.seal(await this.vaultKeyId(), context, JSON.stringify(tokens));
  }

  openSealed(envelope: Envelope, context: Record<string, string>): Promise<string> {
    return this.cipher.open(envelope, context);
  }

  /** Stores tokens for a binding, replacing what was there (a new consent). */
  async write(key: BindingKey, tokens: VaultTokens, meta: { scopes: string[]; expiresAt?: number }, expected: { version?: number; overwrite?: boolean } = { overwrite: true }, previousVersion = 0): Promise<VaultBinding | undefined> {
    const binding: VaultBinding = {
      workload: key.workload,
      user: key.user,
      provider: key.provider,
      id: bindingId(key),
      envelope: await this.seal(encryptionContext(key), tokens),
      scopes: meta.scopes,
      ...(meta.expiresAt !== undefined ? { expiresAt: meta.expiresAt } : {}),
      hasRefreshToken: tokens.refreshToken !== undefined,
      // Versions only grow, even across a new consent that replaces a binding: a container holding
      // an old copy can never match (and lock, or delete) a newer binding by accident.
      version: Math.max(previousVersion + 1, this.now()),
      updatedAt: this.now(),
    };
    return (await this.store.put(binding, expected)) ? binding : undefined;
  }
}
