import { DependencyFailure } from '../errors.js';
import type { Page } from '../pagination.js';
import { bindingId, encryptionContext, providerCreatedTimeOf, type BindingKey, type BindingSummary, type TokenVaultStore, type VaultBinding, type VaultTokens } from './store.js';
import type { EnvelopeCipher, Envelope } from './envelope.js';

/**
 * How long a failed refresh is remembered: vends waiting on it, and the SDKs' own retries (a few
 * within a second or two), get the same answer without another upstream call.
 */
export const REFRESH_FAILURE_MEMORY_MS = 5_000;
/** The longest a token endpoint is given, when the function has the time for it. */
export const MAX_UPSTREAM_MS = 10_000;
/** Kept back from the upstream call for what follows it: sealing (KMS) and storing (DynamoDB) the answer. */
export const WRITE_RESERVE_MS = 2_000;
/** Below this, a refresh is not started: the answer could not be waited for. */
const MIN_UPSTREAM_MS = 500;
/** Added to a lock beyond its holder's deadline, for clocks that disagree across containers. */
const CLOCK_SKEW_MS = 2_000;
/** A refresh token is sent at most twice without a definite answer: the first attempt and one retry. */
const MAX_UNKNOWN_ATTEMPTS = 2;
/** The failure a binding keeps, for good, once its refresh token was refused: only a new consent replaces it. */
export const REFUSED = 'invalid_grant';

/** A binding whose refresh token the provider refused: it serves nothing, and says the user must consent again. */
export function isRefused(binding: Pick<VaultBinding, 'refreshFailure'>): boolean {
  return binding.refreshFailure === REFUSED;
}

export type RefreshOutcome = { accessToken: string } | { reconsent: 'refused' | 'vanished' | 'undeliverable' };

/** What the upstream said to a refresh, in the vault's terms. */
export type RefreshAnswer =
  | { tokens: VaultTokens; expiresAt?: number }
  /** The refresh token is no longer good: only a new consent helps. */
  | { refused: true }
  /** Remembered on the binding as `failure`, thrown as `error`; `unknownOutcome` when the token may have been used (a timeout). */
  | { failure: string; unknownOutcome: boolean; error: Error };

/** The caller's side of a refresh: the upstream exchange, and its errors in the caller's words. */
export interface RefreshExchange {
  providerName: string;
  /** Work before the refresh token is sent (the client secret); failing here leaves the token as good as before. Returns the sender. */
  prepare(): Promise<(tokens: VaultTokens, timeoutMs: number) => Promise<RefreshAnswer>>;
  /** The error for a failure another request met a moment ago. */
  remembered(failure: string): Error;
}

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

  /** One page of a user's bindings, without their tokens (the store's `byUser` read). */
  listByUser(user: string, options: { cursor?: string; limit: number; workloadName?: string }): Promise<Page<BindingSummary>> {
    return this.store.listByUser(user, options);
  }

  /**
   * The refresh protocol: exactly one request refreshes a binding at a time, across containers.
   *
   * - The lock lasts until its holder's own function deadline (plus clock skew): whatever the holder
   *   does (upstream call, sealing, storing), it is dead or done before anyone else may take over.
   *   The upstream call gets what the deadline leaves after the write reserve, at most 10 s.
   * - Only the binding as locked (its version, hence its latest refresh token) is ever sent: a
   *   stale copy cannot take the lock, so no refresh token is sent once a newer one is stored.
   * - A failure is written on the binding for REFRESH_FAILURE_MEMORY_MS: every vend waiting on the
   *   lock and every retry within the window gets it without an upstream call.
   * - A refused refresh token means consent again; the binding keeps the refusal (its tokens serve
   *   nothing) until a new consent replaces it, so the user's consent portal can say why the
   *   connection needs them. A timeout leaves the outcome unknown (the server
   *   may have rotated the token): one later vend may retry with the same token; without a definite
   *   answer after that, the binding is given up and the user consents again.
   */
  async refresh(binding: VaultBinding, deadline: number, exchange: RefreshExchange): Promise<RefreshOutcome> {
    let current = binding;
    let pause = 50;
    for (;;) {
      if (isRefused(current)) return { reconsent: 'refused' };
      if (current.refreshFailure !== undefined && (current.refreshFailedUntil ?? 0) > this.now()) throw exchange.remembered(current.refreshFailure);
      const lockHeld = (current.refreshLockUntil ?? 0) > this.now();
      if ((current.refreshAttempts ?? 0) >= MAX_UNKNOWN_ATTEMPTS && !lockHeld) {
        await this.discard(current);
        return { reconsent: 'undeliverable' };
      }
      if (!lockHeld) {
        const timeoutMs = Math.min(MAX_UPSTREAM_MS, deadline - this.now() - WRITE_RESERVE_MS);
        if (timeoutMs < MIN_UPSTREAM_MS) throw new DependencyFailure(`Too little time is left to refresh the token of credential provider ${exchange.providerName}; retry`, 'upstream-timeout');
        const locked = await this.store.lockForRefresh(current.id, current.version, deadline + CLOCK_SKEW_MS, this.now());
        if (locked) return this.refreshLocked(locked, exchange, timeoutMs);
      }
      // Another request refreshes: wait for its outcome, never longer than this request may.
      if (this.now() + pause > deadline - WRITE_RESERVE_MS) {
        throw new DependencyFailure(`The token of credential provider ${exchange.providerName} is being refreshed by another request; retry`, 'upstream-timeout');
      }
      await new Promise((r) => setTimeout(r, pause * (1 + Math.random() / 2)));
      pause = Math.min(pause * 1.5, 400);
      const latest = await this.get(current.id);
      if (!latest) return { reconsent: 'vanished' };
      // Refreshed (or consented again) a moment ago: fresh enough, whatever its lifetime.
      if (latest.version !== current.version && (latest.expiresAt === undefined || latest.expiresAt > this.now())) return { accessToken: (await this.open(latest)).accessToken };
      current = latest;
    }
  }

  /** The lock holder's part: one exchange with the binding as locked, and its outcome stored. */
  private async refreshLocked(locked: VaultBinding, exchange: RefreshExchange, timeoutMs: number): Promise<RefreshOutcome> {
    const attempts = locked.refreshAttempts ?? 1;
    const release = (outcome: { failure?: string; failedUntil?: number; attempts: number }) => this.store.releaseRefresh(locked.id, locked.version, outcome);
    let sent = false;
    let settled = false;
    try {
      const tokens = await this.open(locked);
      const send = await exchange.prepare();
      sent = true;
      const answer = await send(tokens, timeoutMs);
      if ('refused' in answer) {
        settled = true;
        await release({ failure: REFUSED, failedUntil: Number.MAX_SAFE_INTEGER, attempts: attempts - 1 });
        return { reconsent: 'refused' };
      }
      if ('failure' in answer) {
        settled = true;
        // Only an unknown outcome counts the attempt; every other answer says the token was not used.
        await release({ failure: answer.failure, failedUntil: this.now() + REFRESH_FAILURE_MEMORY_MS, attempts: answer.unknownOutcome ? attempts : attempts - 1 });
        throw answer.error;
      }
      // The consented scopes stay what they were: servers differ in what they echo back.
      const written = await this.write(locked, answer.tokens, { scopes: locked.scopes, expiresAt: answer.expiresAt }, { version: locked.version }, locked.version);
      settled = true;
      if (written) return { accessToken: answer.tokens.accessToken };
      // The binding went (provider or workload deleted) or was replaced by a new consent meanwhile:
      // what the vault holds now decides, never a token it could not keep.
      const latest = await this.get(locked.id);
      if (!latest || latest.provider !== locked.provider) return { reconsent: 'vanished' };
      return { accessToken: (await this.open(latest)).accessToken };
    } catch (error) {
      // Failing before the request went out leaves the token as good as before; after, its fate is unknown.
      if (!settled) await release({ attempts: sent ? attempts : attempts - 1 }).catch(() => false);
      throw error;
    }
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
