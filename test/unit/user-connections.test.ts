import { describe, expect, it } from 'vitest';
import type { CredentialProviderRecord } from '../../lib/credential-providers/store.js';
import type { CallerContext } from '../../lib/http/caller-context.js';
import { providerRef } from '../../lib/oauth2/bindings.js';
import { PageTokens } from '../../lib/pagination.js';
import { EnvelopeCipher } from '../../lib/token-vault/envelope.js';
import { workloadIncarnation } from '../../lib/token-vault/store.js';
import { REFUSED, TokenVault } from '../../lib/token-vault/vault.js';
import { userConnectionOperations, userOf } from '../../lib/user-connections/user-connections.js';
import { userKey, type UserRef } from '../../lib/workload-access-tokens/workload-access-token.js';
import { InMemoryKeyService } from '../fakes/key-service.js';
import { InMemoryServiceKeys } from '../fakes/service-keys.js';
import { InMemoryTokenVaultStore } from '../fakes/token-vault-store.js';
import { InMemoryWorkloadIdentityStore } from '../fakes/workload-identity-store.js';

const caller: CallerContext = { requestId: 'r', partition: 'aws', region: 'us-east-1', accountId: '123456789012', publicBaseUrl: 'https://identity.example.test' };
const ISSUER = 'https://idp.example.test';
const NOW = 1_800_000_000_000;
const alice: UserRef = { kind: 'id', id: 'alice' };
const bob: UserRef = { kind: 'jwt', issuer: ISSUER, subject: 'bob' };

function provider(name: string, createdTime: number): CredentialProviderRecord {
  const server = { issuer: ISSUER, authorizationEndpoint: `${ISSUER}/authorize`, tokenEndpoint: `${ISSUER}/token` };
  return { kind: 'oauth2', name, secretSource: 'MANAGED', secretArn: 'arn', jsonKey: 'k', tags: {}, createdTime, lastUpdatedTime: 1, version: 1, secretGeneration: 0, settings: { server, vendor: 'CustomOauth2' } as never };
}

async function harness() {
  const store = new InMemoryTokenVaultStore();
  const vault = new TokenVault(store, new EnvelopeCipher(new InMemoryKeyService()), async () => 'vault-key', () => NOW);
  const identities = new InMemoryWorkloadIdentityStore();
  for (const [name, createdTime] of [['agent', 10], ['agent-2', 20], ['zeta', 30]] as const) {
    await identities.create({ name, allowedResourceOauth2ReturnUrls: [], tags: {}, createdTime, lastUpdatedTime: 1, version: 1 });
  }
  const providers = new Map([['github', provider('github', 5)], ['idp', provider('idp', 6)]]);
  const fetched: string[] = [];
  const operations = userConnectionOperations({
    identities,
    providers: { get: async ({ name }) => providers.get(name) },
    vault,
    pageTokens: new PageTokens(new InMemoryServiceKeys()),
    // No discovery document answers: revocation is not supported, and nothing leaves the process.
    fetchJson: async (url) => {
      fetched.push(url);
      throw new Error('not found');
    },
    secrets: {} as never,
    sign: (async () => {
      throw new Error('no signing here');
    }) as never,
    now: () => NOW,
  });
  const connect = (workload: string, workloadCreated: number, user: UserRef, providerName: string, providerCreated: number, meta: { expiresAt?: number; refresh?: boolean } = {}) =>
    vault.write(
      { workload: workloadIncarnation(workload, workloadCreated), user: userKey(user), provider: providerRef(providerName, providerCreated) },
      { accessToken: `at-${workload}-${providerName}`, ...(meta.refresh === false ? {} : { refreshToken: 'rt' }) },
      { scopes: ['read'], ...(meta.expiresAt !== undefined ? { expiresAt: meta.expiresAt } : {}) },
    );
  return { store, operations, connect, providers, fetched };
}

describe('user connections on in-memory stores', () => {
  it('names a user exactly one way', () => {
    expect(userOf({ userId: 'a' })).toEqual({ kind: 'id', id: 'a' });
    expect(userOf({ userIssuer: ISSUER, userSubject: 's' })).toEqual({ kind: 'jwt', issuer: ISSUER, subject: 's' });
    const field = (input: object) => {
      try {
        userOf(input);
      } catch (error) {
        return (error as { errorType: string; fieldList: { name: string }[] }).fieldList.map((f) => f.name);
      }
      return undefined;
    };
    expect(field({})).toEqual(['userId']);
    expect(field({ userId: 'a', userSubject: 's' })).toEqual(['userId']);
    expect(field({ userSubject: 's' })).toEqual(['userIssuer']);
    expect(field({ userIssuer: ISSUER })).toEqual(['userSubject']);
  });

  it('lists the current incarnations only, sorted by workload then provider, with their state', async () => {
    const { operations, connect } = await harness();
    await connect('zeta', 30, alice, 'idp', 6);
    await connect('agent-2', 20, alice, 'github', 5, { expiresAt: NOW - 1, refresh: false });
    await connect('agent', 10, alice, 'idp', 6, { expiresAt: NOW + 60_000 });
    await connect('agent', 10, alice, 'github', 5);
    // Left by a deleted-and-recreated workload and provider: nobody can use them.
    await connect('agent-2', 19, alice, 'idp', 6);
    await connect('zeta', 30, alice, 'github', 4);
    await connect('agent', 10, bob, 'github', 5);
    const { connections, nextToken } = await operations.list({ userId: 'alice' }, caller);
    expect(nextToken).toBeUndefined();
    expect(connections.map((c) => [c.workloadName, c.credentialProviderName, c.status])).toEqual([
      ['agent', 'github', 'CONNECTED'],
      ['agent', 'idp', 'CONNECTED'],
      ['agent-2', 'github', 'NEEDS_CONSENT'],
      ['zeta', 'idp', 'CONNECTED'],
    ]);
    expect(connections[1]).toEqual({
      workloadName: 'agent',
      workloadIdentityArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/agent',
      credentialProviderName: 'idp',
      credentialProviderArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/idp',
      scopes: ['read'],
      status: 'CONNECTED',
      connectedAt: NOW / 1000,
      expiresAt: (NOW + 60_000) / 1000,
    });
    expect((await operations.list({ userIssuer: ISSUER, userSubject: 'bob' }, caller)).connections.map((c) => c.workloadName)).toEqual(['agent']);
    expect((await operations.list({ userId: 'carol' }, caller)).connections).toEqual([]);
    expect((await operations.list({ userId: 'alice', workloadName: 'agent' }, caller)).connections.map((c) => c.credentialProviderName)).toEqual(['github', 'idp']);
  });

  it('marks a binding whose refresh was refused as needing consent', async () => {
    const { operations, connect, store } = await harness();
    const binding = (await connect('agent', 10, alice, 'github', 5))!;
    await store.releaseRefresh(binding.id, binding.version, { failure: REFUSED, failedUntil: NOW + 1, attempts: 0 });
    expect((await operations.list({ userId: 'alice' }, caller)).connections.map((c) => c.status)).toEqual(['NEEDS_CONSENT']);
  });

  it('pages with sealed tokens bound to the user and the filter', async () => {
    const { operations, connect } = await harness();
    for (const [workload, created] of [['agent', 10], ['agent-2', 20], ['zeta', 30]] as const) {
      await connect(workload, created, alice, 'github', 5);
      await connect(workload, created, alice, 'idp', 6);
    }
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await operations.list({ userId: 'alice', maxResults: 4, ...(nextToken ? { nextToken } : {}) }, caller);
      expect(page.connections.length).toBeLessThanOrEqual(4);
      seen.push(...page.connections.map((c) => `${c.workloadName}/${c.credentialProviderName}`));
      nextToken = page.nextToken;
      if (nextToken) {
        await expect(operations.list({ userId: 'bob', nextToken }, caller)).rejects.toMatchObject({ errorType: 'ValidationException', fieldList: [{ name: 'nextToken' }] });
        await expect(operations.list({ userId: 'alice', workloadName: 'agent', nextToken }, caller)).rejects.toMatchObject({ errorType: 'ValidationException' });
      }
    } while (nextToken);
    expect(seen).toEqual(['agent/github', 'agent/idp', 'agent-2/github', 'agent-2/idp', 'zeta/github', 'zeta/idp']);
  });

  it('revokes through the portal’s path: the binding is gone whatever the provider said; nothing there is a 404', async () => {
    const { operations, connect, store, fetched } = await harness();
    const binding = (await connect('agent', 10, alice, 'github', 5))!;
    await connect('agent', 10, bob, 'github', 5);
    expect(await operations.revoke({ userId: 'alice', workloadName: 'agent', credentialProviderName: 'github' }, caller)).toEqual({ revocation: 'NOT_SUPPORTED' });
    expect(fetched).toContain(`${ISSUER}/.well-known/openid-configuration`);
    expect(await store.get(binding.id)).toBeUndefined();
    expect((await operations.list({ userIssuer: ISSUER, userSubject: 'bob' }, caller)).connections).toHaveLength(1);
    for (const input of [
      { userId: 'alice', workloadName: 'agent', credentialProviderName: 'github' },
      { userId: 'alice', workloadName: 'nobody', credentialProviderName: 'github' },
      { userId: 'alice', workloadName: 'agent', credentialProviderName: 'nothing' },
    ]) {
      await expect(operations.revoke(input, caller)).rejects.toMatchObject({ errorType: 'ResourceNotFoundException' });
    }
  });

  it('keeps the fake’s index pages as the adapter’s: limit, order by workload incarnation, cursor after the last key', async () => {
    const { store, connect } = await harness();
    await connect('zeta', 30, alice, 'idp', 6);
    await connect('agent', 10, alice, 'idp', 6);
    await connect('agent', 10, alice, 'github', 5);
    const first = await store.listByUser('id:alice', { limit: 2 });
    expect(first.items.map((b) => b.workload)).toEqual(['agent@10', 'agent@10']);
    expect(first.items[0]).not.toHaveProperty('envelope');
    const second = await store.listByUser('id:alice', { limit: 2, cursor: first.lastKey! });
    expect(second.items.map((b) => b.workload)).toEqual(['zeta@30']);
    expect(second.lastKey).toBeUndefined();
    expect((await store.listByUser('id:alice', { limit: 10, workloadName: 'zeta' })).items).toHaveLength(1);
  });
});
