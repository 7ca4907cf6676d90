import { describe, expect, it } from 'vitest';
import { AgentCoreError, DependencyFailure } from '../../lib/errors.js';
import { upstreamError } from '../../lib/oauth2/upstream-errors.js';
import { EnvelopeCipher } from '../../lib/token-vault/envelope.js';
import type { VaultTokens } from '../../lib/token-vault/store.js';
import { isRefused, TokenVault, type RefreshAnswer, type RefreshExchange } from '../../lib/token-vault/vault.js';
import { ManualClock } from '../fakes/clock.js';
import { InMemoryKeyService } from '../fakes/key-service.js';
import { InMemoryTokenVaultStore } from '../fakes/token-vault-store.js';

/**
 * The refresh lock's protocol, owned by the vault (TokenVault.refresh): one holder at a time,
 * everyone else waits for its outcome and shares it. The exchange here is the test's own, so no
 * request leaves; the OAuth2 exchange against a real token endpoint is covered by
 * test/faults/oauth2-refresh.test.ts (in `npm run test:long`).
 */
const key = { workload: 'agent@1', user: 'id:alice', provider: 'oauth2/github@1' };

/** An exchange that answers when the test says so, and counts what it was asked. */
function heldExchange() {
  let answer!: (value: RefreshAnswer) => void;
  const answered = new Promise<RefreshAnswer>((resolve) => (answer = resolve));
  const sent: VaultTokens[] = [];
  const exchange: RefreshExchange = {
    providerName: 'github',
    remembered: (failure) => upstreamError('github', { error: failure }),
    prepare: async () => async (tokens) => {
      sent.push(tokens);
      return answered;
    },
  };
  return { exchange, answer, sent };
}

/** A waiter's exchange: it must never be called. */
const waiter: RefreshExchange = {
  providerName: 'github',
  remembered: (failure) => upstreamError('github', { error: failure }),
  prepare: async () => {
    throw new Error('a waiter never reads the client secret');
  },
};

async function setUp(extra: { refreshAttempts?: number } = {}) {
  const clock = new ManualClock();
  const store = new InMemoryTokenVaultStore();
  const vault = new TokenVault(store, new EnvelopeCipher(new InMemoryKeyService(), 1000, 300_000, clock.now), async () => 'vault-key', clock.now);
  const written = await vault.write(key, { accessToken: 'old', refreshToken: 'r1' }, { scopes: ['repo'], expiresAt: clock.now() - 1 });
  if (extra.refreshAttempts !== undefined) await store.releaseRefresh(written!.id, written!.version, { attempts: extra.refreshAttempts });
  const binding = (await vault.get(written!.id))!;
  return { clock, store, vault, binding, deadline: clock.now() + 30_000 };
}

/** Lets the holder's lock write land before the waiters start. */
async function lockTaken(store: InMemoryTokenVaultStore) {
  while (store.locksGranted === 0) await new Promise((r) => setImmediate(r));
}

describe('the refresh lock', () => {
  it('lets one request refresh while the others wait and share its new token', async () => {
    const { store, vault, binding, deadline, clock } = await setUp();
    const holder = heldExchange();
    const refreshed = vault.refresh(binding, deadline, holder.exchange);
    await lockTaken(store);
    const waiters = Array.from({ length: 5 }, () => vault.refresh(binding, deadline, waiter));
    holder.answer({ tokens: { accessToken: 'new', refreshToken: 'r2' }, expiresAt: clock.now() + 3_600_000 });

    expect(await refreshed).toEqual({ accessToken: 'new' });
    expect(await Promise.all(waiters)).toEqual(Array(5).fill({ accessToken: 'new' }));
    expect(holder.sent).toEqual([{ accessToken: 'old', refreshToken: 'r1' }]);
    expect(store.locksGranted).toBe(1);
    expect((await vault.open((await vault.get(binding.id))!)).refreshToken).toBe('r2');
  });

  it('hands the waiters the failure the holder remembered, without taking the lock', async () => {
    const { store, vault, binding, deadline } = await setUp();
    const holder = heldExchange();
    const refreshed = vault.refresh(binding, deadline, holder.exchange).then(() => 'refreshed', (error) => error);
    await lockTaken(store);
    const waiters = Array.from({ length: 3 }, () => vault.refresh(binding, deadline, waiter).then(() => 'refreshed', (error) => error));
    holder.answer({ failure: 'temporarily_unavailable', unknownOutcome: false, error: upstreamError('github', { error: 'temporarily_unavailable' }) });

    for (const outcome of await Promise.all([refreshed, ...waiters])) expect(outcome).toBeInstanceOf(AgentCoreError);
    expect(store.locksGranted).toBe(1);
    // A definite answer: the token was not used, so no attempt of unknown outcome is counted.
    expect((await vault.get(binding.id))!.refreshAttempts ?? 0).toBe(0);
  });

  it('keeps the refusal on the binding when the refresh token is refused: consent again, and never another refresh with it', async () => {
    const { store, vault, binding, deadline, clock } = await setUp();
    const holder = heldExchange();
    holder.answer({ refused: true });
    expect(await vault.refresh(binding, deadline, holder.exchange)).toEqual({ reconsent: 'refused' });
    const kept = (await store.get(binding.id))!;
    expect(isRefused(kept)).toBe(true);
    expect(kept.refreshLockUntil ?? 0).toBeLessThanOrEqual(clock.now());
    // Any later vend, however much later, goes to consent without sending the refused token again.
    clock.advance(24 * 3600_000);
    expect(await vault.refresh(kept, clock.now() + 30_000, waiter)).toEqual({ reconsent: 'refused' });
    // A new consent replaces the binding, refusal and all.
    const replaced = await vault.write(kept, { accessToken: 'new', refreshToken: 'r2' }, { scopes: ['repo'], expiresAt: clock.now() + 3600_000 });
    expect(isRefused(replaced!)).toBe(false);
  });

  it('gives a binding up for consent after two refreshes of unknown outcome', async () => {
    const { store, vault, binding, deadline } = await setUp({ refreshAttempts: 2 });
    expect(await vault.refresh(binding, deadline, waiter)).toEqual({ reconsent: 'undeliverable' });
    expect(await store.get(binding.id)).toBeUndefined();
    expect(store.locksGranted).toBe(0);
  });

  it('starts no refresh it could not wait for', async () => {
    const { store, vault, binding, clock } = await setUp();
    await expect(vault.refresh(binding, clock.now() + 1_000, waiter)).rejects.toBeInstanceOf(DependencyFailure);
    expect(store.locksGranted).toBe(0);
  });

  it('grants the lock on one version to exactly one of many concurrent takers', async () => {
    const { store, binding, clock } = await setUp();
    const takers = await Promise.all(Array.from({ length: 10 }, () => store.lockForRefresh(binding.id, binding.version, clock.now() + 10_000, clock.now())));
    expect(takers.filter(Boolean)).toHaveLength(1);
  });
});
