import { bindingId, encryptionContext, providerCreatedTimeOf, type BindingKey, type TokenVaultStore, type VaultBinding, type VaultTokens } from './store.js';
import type { EnvelopeCipher, Envelope } from './envelope.js';

/**
 * The token vault: tokens in, tokens out, sealed per binding with the vault's current key.
 * Reading needs no KMS call once a data key is cached; writing always asks KMS for a fresh one.
 */
export class TokenVault {
  constructor(
    private readonly store: TokenVaultStore,
    private readonly cipher: EnvelopeCipher,
    private readonly vaultKeyId: () => Promise<string>,
    private readonly now: () => number = Date.now,
  ) {}

  id(key: BindingKey): string {
    return bindingId(key);
  }

  get(id: string): Promise<VaultBinding | undefined> {
    return this.store.get(id);
  }

  /** The binding as locked for one refresh until `until`, or undefined when another request holds it or a failure is remembered. */
  lockForRefresh(binding: VaultBinding, until: number): Promise<VaultBinding | undefined> {
    return this.store.lockForRefresh(binding.id, binding.version, until, this.now());
  }

  /** Ends a refresh that stored nothing: remembers its failure (if any) for the vends that wait or retry. */
  releaseRefresh(binding: VaultBinding, outcome: { failure?: string; failedUntil?: number; attempts: number }): Promise<boolean> {
    return this.store.releaseRefresh(binding.id, binding.version, outcome);
  }

  /** Drops a binding if it is still the version read (a refused refresh token, a write that raced a deletion). */
  discard(binding: VaultBinding): Promise<void> {
    return this.store.delete(binding.id, binding.version);
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

  /**
   * Stores tokens for a binding: by default a new consent, replacing what the slot holds unless a
   * newer provider incarnation filled it; with `expected.version`, only over that version (a refresh).
   */
  async write(key: BindingKey, tokens: VaultTokens, meta: { scopes: string[]; expiresAt?: number }, expected: { version?: number; replace?: boolean } = { replace: true }, previousVersion = 0): Promise<VaultBinding | undefined> {
    const providerCreatedTime = providerCreatedTimeOf(key.provider);
    const binding: VaultBinding = {
      workload: key.workload,
      user: key.user,
      provider: key.provider,
      ...(providerCreatedTime !== undefined ? { providerCreatedTime } : {}),
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
