import { describe, expect, it } from 'vitest';
import { consentPortalOperations } from '../../lib/consent-portals/consent-portals.js';
import { parseResourceArn } from '../../lib/arns.js';
import { portalTargets } from '../../lib/consent-portals/portal-tags.js';
import { PortalCookies, requestCookies, setCookie, type PortalSession } from '../../lib/consent-portals/portal-cookies.js';
import type { ConsentPortalRecord } from '../../lib/consent-portals/store.js';
import { trustedIssuers } from '../../lib/consent-portals/trusted-issuers.js';
import type { CredentialProviderRecord } from '../../lib/credential-providers/store.js';
import type { CallerContext } from '../../lib/http/caller-context.js';
import { PageTokens } from '../../lib/pagination.js';
import { InMemoryConsentPortalStore } from '../fakes/consent-portal-store.js';
import { InMemoryServiceKeys } from '../fakes/service-keys.js';
import { InMemoryWorkloadIdentityStore } from '../fakes/workload-identity-store.js';

const ISSUER = 'https://idp.example.test';
const caller: CallerContext = { requestId: 'r', partition: 'aws', region: 'us-east-1', accountId: '123456789012', publicBaseUrl: 'https://identity.example.test' };
const arn = (name: string, namespace = 'bedrock-agentcore') => `arn:aws:${namespace}:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/${name}`;
const openIdConfiguration = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  jwks_uri: `${ISSUER}/jwks`,
  id_token_signing_alg_values_supported: ['RS256'],
  revocation_endpoint: `${ISSUER}/revoke`,
};

function provider(name: string, issuer?: string): CredentialProviderRecord {
  return { kind: 'oauth2', name, secretSource: 'MANAGED', secretArn: 'arn', jsonKey: 'k', tags: {}, createdTime: 1, lastUpdatedTime: 1, version: 1, secretGeneration: 0, settings: { server: { issuer, authorizationEndpoint: `${ISSUER}/authorize`, tokenEndpoint: `${ISSUER}/token` } } as never };
}

async function harness() {
  const store = new InMemoryConsentPortalStore();
  const identities = new InMemoryWorkloadIdentityStore();
  await identities.create({ name: 'agent', allowedResourceOauth2ReturnUrls: [], tags: {}, createdTime: 1, lastUpdatedTime: 1, version: 1 });
  const providers = new Map([['idp', provider('idp', ISSUER)], ['github', provider('github')]]);
  const operations = consentPortalOperations({
    store,
    identities,
    providers: { get: async ({ name }) => providers.get(name) },
    pageTokens: new PageTokens(new InMemoryServiceKeys()),
    fetchJson: async (url) => {
      if (url === `${ISSUER}/.well-known/openid-configuration`) return openIdConfiguration;
      throw new Error('not found');
    },
    isTrustedIssuer: async (issuer) => issuer === ISSUER,
  });
  const input = {
    name: 'portal',
    executionRoleArn: 'arn:aws:iam::123456789012:role/portal',
    idpConfig: { credentialProviderArn: arn('idp'), scopes: ['openid'] },
    sources: [{ type: 'agentcore-gateway' as const, identifier: 'gw-abcdefghij' }],
    tags: { 'agentcore-identity:workload': 'agent', 'agentcore-identity:providers': 'github  idp' },
  };
  return { store, operations, input };
}

describe('consent portals on in-memory stores', () => {
  it('finds the IdP provider by ARN in both namespaces, and nothing else', () => {
    const where = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
    expect(parseResourceArn(arn('idp'), where)).toEqual({ kind: 'oauth2-credential-provider', name: 'idp' });
    expect(parseResourceArn(arn('idp', 'acps'), where)).toEqual({ kind: 'oauth2-credential-provider', name: 'idp' });
    expect(parseResourceArn(arn('idp', 'iam'), where)).toEqual({ refused: 'malformed' });
    expect(parseResourceArn(arn('idp').replace('oauth2', 'apikey'), where)).toEqual({ kind: 'apikey-credential-provider', name: 'idp' });
    expect(parseResourceArn(`${arn('idp')}/more`, where)).toEqual({ refused: 'unknown-resource' });
  });

  it('reads the tag conventions: one workload, providers separated by any white space, without repeats', () => {
    expect(portalTargets({ 'agentcore-identity:workload': ' agent ', 'agentcore-identity:providers': 'a\tb  a\nc' })).toEqual({ workloadName: 'agent', providerNames: ['a', 'b', 'c'] });
  });

  it('trusts an issuer named directly, by its own discovery URL, or by what another discovery URL names', async () => {
    let fetched = 0;
    const trusts = trustedIssuers(
      [{ issuer: 'https://a.test', audience: ['x'] }, { discoveryUrl: 'https://b.test/.well-known/openid-configuration', audience: ['x'] }, { discoveryUrl: 'https://meta.test/c', audience: ['x'] }],
      async (url) => {
        if (url === 'https://meta.test/c') return fetched++, { issuer: 'https://c.test' };
        throw new Error('unreachable');
      },
    );
    expect(await trusts('https://a.test')).toBe(true);
    expect(await trusts('https://b.test')).toBe(true);
    expect(await trusts('https://c.test')).toBe(true);
    expect(await trusts('https://c.test')).toBe(true);
    expect(fetched).toBe(1);
    expect(await trusts('https://d.test')).toBe(false);
  });

  it('accepts the acps form of the IdP ARN too, and keeps it as given', async () => {
    const { operations, input } = await harness();
    const created = await operations.create({ ...input, idpConfig: { ...input.idpConfig, credentialProviderArn: arn('idp', 'acps') } }, caller);
    expect(created.idpConfig.credentialProviderArn).toBe(arn('idp', 'acps'));
    expect(created.status).toBe('ACTIVE');
  });

  it('answers ConflictException to an update that lost the race, and keeps the winner', async () => {
    const { store, operations, input } = await harness();
    const { consentPortalId } = await operations.create(input, caller);
    const replace = store.replace.bind(store);
    // Another update lands between this update's read and its write.
    store.replace = async (record: ConsentPortalRecord, expected: number) => {
      store.replace = replace;
      await replace({ ...record, description: 'winner', writeId: 'other' }, expected);
      return replace(record, expected);
    };
    await expect(operations.update({ consentPortalIdentifier: consentPortalId, description: 'loser' }, caller)).rejects.toMatchObject({ errorType: 'ConflictException' });
    expect((await store.get('portal'))?.description).toBe('winner');
  });

  it('writes tags for the tag operations on the version read, checking the conventions as at create', async () => {
    const { store, operations, input } = await harness();
    const { consentPortalId } = await operations.create(input, caller);
    const read = (await operations.readTags(consentPortalId))!;
    expect(await operations.writeTags(consentPortalId, { ...input.tags, team: 'agents' }, read.version)).toBe(true);
    expect({ ...(await operations.readTags(consentPortalId))!.tags }).toEqual({ ...input.tags, team: 'agents' });
    expect(await operations.writeTags(consentPortalId, { ...input.tags }, read.version)).toBe(false); // a stale version
    await expect(operations.writeTags(consentPortalId, { team: 'agents' }, read.version + 1)).rejects.toMatchObject({ fieldList: [{ name: 'tags.agentcore-identity:workload' }] });
    expect((await store.get('portal'))?.version).toBe(2);
    expect(await operations.readTags('portal-0000000000')).toBeUndefined();
  });

  it('refuses an IdP provider without an issuer, naming the field', async () => {
    const { store, operations, input } = await harness();
    await expect(operations.create({ ...input, idpConfig: { credentialProviderArn: arn('github'), scopes: ['openid'] } }, caller)).rejects.toMatchObject({
      errorType: 'ValidationException',
      fieldList: [{ name: 'idpConfig.credentialProviderArn' }],
    });
    expect(await store.get('portal')).toBeUndefined();
  });

  it('seals portal cookies for one purpose and one portal, until they expire; Secure over https', async () => {
    let now = Date.now();
    const cookies = new PortalCookies(new InMemoryServiceKeys(), () => now);
    const session: PortalSession = { portal: 'p-abcdefghij', user: { kind: 'jwt', issuer: ISSUER, subject: 'u' }, csrf: 'c', expiresAt: Math.floor(now / 1000) + 60 };
    const sealed = await cookies.seal('session', session);
    expect(sealed).not.toContain(ISSUER);
    expect(await cookies.open('session', sealed, 'p-abcdefghij')).toEqual(session);
    expect(await cookies.open('session', sealed, 'q-abcdefghij')).toBeUndefined();
    expect(await cookies.open('sign-in', sealed, 'p-abcdefghij')).toBeUndefined();
    expect(await new PortalCookies(new InMemoryServiceKeys()).open('session', sealed, 'p-abcdefghij')).toBeUndefined();
    now += 61_000;
    expect(await cookies.open('session', sealed, 'p-abcdefghij')).toBeUndefined();
    expect(setCookie('n', 'v', { path: '/portals/p', secure: true, maxAgeSeconds: 900 })).toBe('n=v; Path=/portals/p; Max-Age=900; HttpOnly; SameSite=Lax; Secure');
    expect(setCookie('n', 'v', { path: '/portals/p', secure: false, maxAgeSeconds: 900 })).not.toContain('Secure');
    expect([...requestCookies(undefined, 'a=1; b=x=y')]).toEqual([['a', '1'], ['b', 'x=y']]);
  });
});
