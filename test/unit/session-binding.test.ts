import { describe, expect, it } from 'vitest';
import { AccessDeniedException, ResourceNotFoundException, ValidationException } from '../../lib/errors.js';
import { bindingKeyOf, pendingContext, providerRef } from '../../lib/oauth2/bindings.js';
import { SESSION_URI_PREFIX } from '../../lib/oauth2/consent.js';
import type { ConsentSession } from '../../lib/oauth2/sessions.js';
import { EnvelopeCipher } from '../../lib/token-vault/envelope.js';
import { bindingId } from '../../lib/token-vault/store.js';
import { TokenVault } from '../../lib/token-vault/vault.js';
import { completeResourceTokenAuth } from '../../lib/vending/complete-auth.js';
import { UserTokenVerifier } from '../../lib/workload-access-tokens/user-tokens.js';
import { testCaller } from '../fakes/caller.js';
import { InMemoryKeyService } from '../fakes/key-service.js';
import { InMemorySessionStore } from '../fakes/session-store.js';
import { InMemoryTokenVaultStore } from '../fakes/token-vault-store.js';
import { InMemoryVendingLookup } from '../fakes/vending-lookup.js';
import { InMemoryWorkloadIdentityStore } from '../fakes/workload-identity-store.js';
import { githubProviderRecord } from '../fakes/provider-records.js';

/**
 * Session binding (CompleteResourceTokenAuth) as a domain rule: the tokens of a consent with a
 * return URL reach the vault only for the user the consent was started for. Another user is
 * refused, and the session fails for good.
 */
const WORKLOAD_CREATED = 1_700_000_000_000;
const PROVIDER_CREATED = 1_700_000_000_500;

async function setUp() {
  const identities = new InMemoryWorkloadIdentityStore();
  const vaultStore = new InMemoryTokenVaultStore();
  const sessions = new InMemorySessionStore();
  const registry = new InMemoryVendingLookup(identities, vaultStore);
  const vault = new TokenVault(vaultStore, new EnvelopeCipher(new InMemoryKeyService()), async () => 'vault-key');
  // Users here are named by id: no user token is verified, so no issuer is ever fetched.
  const userTokens = new UserTokenVerifier([], {
    policy: () => {
      throw new Error('unit tests make no network calls');
    },
  });
  await identities.create({ name: 'agent', allowedResourceOauth2ReturnUrls: ['https://app.example/done'], tags: {}, createdTime: WORKLOAD_CREATED, lastUpdatedTime: WORKLOAD_CREATED, version: 1 });
  registry.providers.set('oauth2/github', githubProviderRecord(PROVIDER_CREATED));
  const session: ConsentSession = {
    id: 'session-1',
    provider: providerRef('github', PROVIDER_CREATED),
    providerName: 'github',
    providerCreatedTime: PROVIDER_CREATED,
    workload: 'agent',
    workloadCreatedTime: WORKLOAD_CREATED,
    workloadIncarnation: `agent@${WORKLOAD_CREATED}`,
    user: { kind: 'id', id: 'alice' },
    scopes: ['repo'],
    callbackUrl: 'https://identity.example/identities/oauth2/callback',
    returnUrl: 'https://app.example/done',
    kid: 'k1',
    status: 'AWAITING_USER',
    expiresAt: Math.floor(Date.now() / 1000) + 600,
    createdAt: Date.now(),
  };
  const envelope = await vault.seal(pendingContext(session), { accessToken: 'alice-access', refreshToken: 'alice-refresh' });
  await sessions.create({ ...session, pending: { envelope, scopes: ['repo'], hasRefreshToken: true } });
  const complete = completeResourceTokenAuth({ sessions, vault, userTokens, registry });
  const input = (userId: string) => ({ sessionUri: `${SESSION_URI_PREFIX}${session.id}`, userIdentifier: { userId } });
  return { sessions, vault, vaultStore, registry, complete, input, bindingId: bindingId(bindingKeyOf(session)) };
}

describe('session binding', () => {
  it('refuses another user with AccessDeniedException, writes nothing and fails the session', async () => {
    const { complete, input, sessions, vaultStore, bindingId } = await setUp();
    await expect(complete(input('mallory'), testCaller())).rejects.toBeInstanceOf(AccessDeniedException);
    expect(await vaultStore.get(bindingId)).toBeUndefined();
    const failed = await sessions.get('session-1');
    expect(failed).toMatchObject({ status: 'FAILED', failure: 'user_mismatch' });
    expect(failed?.pending).toBeUndefined();
    // The right user coming later finds nothing to complete.
    await expect(complete(input('alice'), testCaller())).rejects.toBeInstanceOf(ValidationException);
    expect(await vaultStore.get(bindingId)).toBeUndefined();
  });

  it('keeps the consent when the vault write fails after the claim: the session waits again, and a retry completes it', async () => {
    const { complete, input, sessions, vaultStore, bindingId } = await setUp();
    const put = vaultStore.put.bind(vaultStore);
    let broken = true;
    vaultStore.put = async (...args: Parameters<typeof put>) => {
      if (broken) throw Object.assign(new Error('injected DynamoDB outage'), { name: 'InternalServerError' });
      return put(...args);
    };
    await expect(complete(input('alice'), testCaller())).rejects.toThrow('injected DynamoDB outage');
    const waiting = await sessions.get('session-1');
    expect(waiting?.status).toBe('AWAITING_USER');
    expect(waiting?.pending).toBeDefined();
    broken = false;
    await expect(complete(input('alice'), testCaller())).resolves.toEqual({});
    expect(await vaultStore.get(bindingId)).toBeDefined();
  });

  it('releases the tokens to the vault for the user the consent was started for, once', async () => {
    const { complete, input, sessions, vault, vaultStore, bindingId } = await setUp();
    expect(await complete(input('alice'), testCaller())).toEqual({});
    const binding = await vaultStore.get(bindingId);
    expect(binding).toBeDefined();
    expect(await vault.open(binding!)).toMatchObject({ accessToken: 'alice-access', refreshToken: 'alice-refresh' });
    expect(await sessions.get('session-1')).toMatchObject({ status: 'COMPLETED' });
    await expect(complete(input('alice'), testCaller())).rejects.toBeInstanceOf(ValidationException);
  });

  it('takes the tokens back when the provider was deleted while they waited', async () => {
    const { complete, input, registry, vaultStore, bindingId } = await setUp();
    registry.providers.delete('oauth2/github');
    await expect(complete(input('alice'), testCaller())).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(await vaultStore.get(bindingId)).toBeUndefined();
  });

  it('knows no session under an unknown sessionUri', async () => {
    const { complete } = await setUp();
    await expect(complete({ sessionUri: `${SESSION_URI_PREFIX}nope`, userIdentifier: { userId: 'alice' } }, testCaller())).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
