import { describe, expect, it } from 'vitest';
import type { CredentialProviderRecord } from '../../lib/credential-providers/store.js';
import { AgentCoreError, DependencyFailure } from '../../lib/errors.js';
import { EnvelopeCipher } from '../../lib/token-vault/envelope.js';
import { TokenVault } from '../../lib/token-vault/vault.js';
import { refresher } from '../../lib/vending/refresh.js';
import { ManualClock } from '../fakes/clock.js';
import { InMemoryKeyService } from '../fakes/key-service.js';
import { InMemoryTokenVaultStore } from '../fakes/token-vault-store.js';
import { githubProviderRecord } from '../fakes/provider-records.js';

/**
 * The refresh lock's protocol on the vault's side: one holder at a time, everyone else waits for
 * its outcome and shares it. The holder's upstream exchange (a real token endpoint) is covered by
 * test/faults/oauth2-refresh.test.ts (in `npm run test:long`); here the test plays the holder, so no request leaves.
 */
const record: CredentialProviderRecord = githubProviderRecord(1);
const key = { workload: 'agent@1', user: 'id:alice', provider: 'oauth2/github@1' };

async function setUp(extra: { refreshAttempts?: number } = {}) {
  const clock = new ManualClock();
  const store = new InMemoryTokenVaultStore();
  const vault = new TokenVault(store, new EnvelopeCipher(new InMemoryKeyService(), 1000, 300_000, clock.now), async () => 'vault-key', clock.now);
  const written = await vault.write(key, { accessToken: 'old', refreshToken: 'r1' }, { scopes: ['repo'], expiresAt: clock.now() - 1 });
  if (extra.refreshAttempts !== undefined) await store.releaseRefresh(written!.id, written!.version, { attempts: extra.refreshAttempts });
  const binding = (await vault.get(written!.id))!;
  const refresh = refresher({
    vault,
    now: clock.now,
    clientSecret: async () => {
      throw new Error('a waiter never reads the client secret');
    },
  });
  return { clock, store, vault, binding, refresh, deadline: clock.now() + 30_000 };
}

describe('the refresh lock', () => {
  it('lets one request refresh while the others wait and share its new token', async () => {
    const { store, vault, binding, refresh, deadline, clock } = await setUp();
    const locked = await vault.lockForRefresh(binding, deadline);
    expect(locked).toBeDefined();

    const waiters = Array.from({ length: 5 }, () => refresh(binding, record, deadline));
    // Before the holder stores its answer a waiter finds the lock held; after, the version moved: either way it waits and reads.
    await vault.write(key, { accessToken: 'new', refreshToken: 'r2' }, { scopes: ['repo'], expiresAt: clock.now() + 3_600_000 }, { version: locked!.version }, locked!.version);

    expect(await Promise.all(waiters)).toEqual(Array(5).fill({ accessToken: 'new' }));
    expect(store.locksGranted).toBe(1);
  });

  it('hands the waiters the failure the holder remembered, without taking the lock', async () => {
    const { store, vault, binding, refresh, deadline, clock } = await setUp();
    const locked = (await vault.lockForRefresh(binding, deadline))!;
    const waiters = Array.from({ length: 3 }, () => refresh(binding, record, deadline).then(() => 'refreshed', (error) => error));
    await vault.releaseRefresh(locked, { failure: 'temporarily_unavailable', failedUntil: clock.now() + 5_000, attempts: 0 });

    for (const outcome of await Promise.all(waiters)) expect(outcome).toBeInstanceOf(AgentCoreError);
    expect(store.locksGranted).toBe(1);
  });

  it('gives a binding up for consent after two refreshes of unknown outcome', async () => {
    const { store, binding, refresh, deadline } = await setUp({ refreshAttempts: 2 });
    expect(await refresh(binding, record, deadline)).toEqual({ reconsent: 'undeliverable' });
    expect(await store.get(binding.id)).toBeUndefined();
    expect(store.locksGranted).toBe(0);
  });

  it('starts no refresh it could not wait for', async () => {
    const { store, binding, refresh, clock } = await setUp();
    await expect(refresh(binding, record, clock.now() + 1_000)).rejects.toBeInstanceOf(DependencyFailure);
    expect(store.locksGranted).toBe(0);
  });

  it('grants the lock on one version to exactly one of many concurrent takers', async () => {
    const { store, binding, clock } = await setUp();
    const takers = await Promise.all(Array.from({ length: 10 }, () => store.lockForRefresh(binding.id, binding.version, clock.now() + 10_000, clock.now())));
    expect(takers.filter(Boolean)).toHaveLength(1);
  });
});
