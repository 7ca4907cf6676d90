import { settingsOf } from '../credential-providers/oauth2-providers.js';
import type { CredentialProviderRecord } from '../credential-providers/store.js';
import { DependencyFailure } from '../errors.js';
import { requestToken, type ClientCredentials } from '../oauth2/token-endpoint.js';
import { upstreamError } from '../oauth2/upstream-errors.js';
import { isTokenError } from '../oauth2/token-response.js';
import { vendorOf } from '../oauth2/vendors.js';
import type { VaultBinding } from '../token-vault/store.js';
import type { TokenVault } from '../token-vault/vault.js';

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

export type RefreshOutcome = { accessToken: string } | { reconsent: 'refused' | 'vanished' | 'undeliverable' };

export interface RefreshDependencies {
  vault: TokenVault;
  client(record: CredentialProviderRecord): Promise<ClientCredentials>;
  now: () => number;
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
 * - `invalid_grant` means consent again. A timeout leaves the outcome unknown (the server may have
 *   rotated the token): one later vend may retry with the same token; without a definite answer
 *   after that, the binding is given up and the user consents again.
 */
export function refresher(deps: RefreshDependencies) {
  const { vault, now } = deps;
  return async function refresh(binding: VaultBinding, record: CredentialProviderRecord, deadline: number): Promise<RefreshOutcome> {
    let current = binding;
    let pause = 50;
    for (;;) {
      const failure = remembered(current, record, now());
      if (failure) throw failure;
      if ((current.refreshAttempts ?? 0) >= MAX_UNKNOWN_ATTEMPTS && !((current.refreshLockUntil ?? 0) > now())) {
        await vault.discard(current);
        return { reconsent: 'undeliverable' };
      }
      if (!((current.refreshLockUntil ?? 0) > now())) {
        const timeoutMs = Math.min(MAX_UPSTREAM_MS, deadline - now() - WRITE_RESERVE_MS);
        if (timeoutMs < MIN_UPSTREAM_MS) throw new DependencyFailure(`Too little time is left to refresh the token of credential provider ${record.name}; retry`, 'upstream-timeout');
        const locked = await vault.lockForRefresh(current, deadline + CLOCK_SKEW_MS);
        if (locked) return exchange(deps, locked, record, timeoutMs);
      }
      // Another request refreshes: wait for its outcome, never longer than this request may.
      if (now() + pause > deadline - WRITE_RESERVE_MS) {
        throw new DependencyFailure(`The token of credential provider ${record.name} is being refreshed by another request; retry`, 'upstream-timeout');
      }
      await new Promise((r) => setTimeout(r, pause * (1 + Math.random() / 2)));
      pause = Math.min(pause * 1.5, 400);
      const latest = await vault.get(current.id);
      if (!latest) return { reconsent: 'vanished' };
      // Refreshed (or consented again) a moment ago: fresh enough, whatever its lifetime.
      if (latest.version !== current.version && (latest.expiresAt === undefined || latest.expiresAt > now())) return { accessToken: (await vault.open(latest)).accessToken };
      current = latest;
    }
  };
}

/** The lock holder's part: one refresh request with the binding as locked, and its outcome stored. */
async function exchange(deps: RefreshDependencies, locked: VaultBinding, record: CredentialProviderRecord, timeoutMs: number): Promise<RefreshOutcome> {
  const { vault, now } = deps;
  const attempts = locked.refreshAttempts ?? 1;
  let sent = false;
  let settled = false;
  try {
    const tokens = await vault.open(locked);
    const settings = settingsOf(record);
    const vendor = vendorOf(settings.vendor);
    const client = await deps.client(record);
    sent = true;
    const result = await requestToken(vendor, settings.server, client, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken }, now, { timeoutMs });
    if (isTokenError(result)) {
      settled = true;
      if (result.error === 'invalid_grant') {
        await vault.discard(locked);
        return { reconsent: 'refused' };
      }
      // Only a timeout leaves the token's fate unknown; every other answer says it was not used.
      const unknown = result.error === 'upstream_timeout';
      await vault.releaseRefresh(locked, { failure: result.error, failedUntil: now() + REFRESH_FAILURE_MEMORY_MS, attempts: unknown ? attempts : attempts - 1 });
      throw upstreamError(record.name, result);
    }
    // A rotated refresh token replaces the old one; an answer without one keeps it.
    const next = { accessToken: result.accessToken, refreshToken: result.refreshToken ?? tokens.refreshToken, tokenType: result.tokenType, extras: result.extras };
    // The consented scopes stay what they were: servers differ in what they echo back.
    const written = await vault.write(locked, next, { scopes: locked.scopes, expiresAt: result.expiresAt }, { version: locked.version }, locked.version);
    settled = true;
    if (written) return { accessToken: result.accessToken };
    // The binding went (provider or workload deleted) or was replaced by a new consent meanwhile:
    // what the vault holds now decides, never a token it could not keep.
    const latest = await vault.get(locked.id);
    if (!latest || latest.provider !== locked.provider) return { reconsent: 'vanished' };
    return { accessToken: (await vault.open(latest)).accessToken };
  } catch (error) {
    // Failing before the request went out leaves the token as good as before; after, its fate is unknown.
    if (!settled) await vault.releaseRefresh(locked, { attempts: sent ? attempts : attempts - 1 }).catch(() => false);
    throw error;
  }
}

/** A failure another request met a moment ago, which this one shares instead of calling again. */
function remembered(binding: VaultBinding, record: CredentialProviderRecord, now: number) {
  if (binding.refreshFailure === undefined || (binding.refreshFailedUntil ?? 0) <= now) return undefined;
  return upstreamError(record.name, { error: binding.refreshFailure });
}
