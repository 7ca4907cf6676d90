import { describe, expect, it } from 'vitest';
import { ProviderSecrets } from '../../lib/credential-providers/provider-secrets.js';
import type { CredentialProviderRecord } from '../../lib/credential-providers/store.js';
import { ManualClock } from '../fakes/clock.js';
import { InMemorySecretStore } from '../fakes/secret-store.js';

/**
 * The rotation bound, as a domain rule: a vend serves the container's cached credential until the
 * provider's secret generation moves (a rotation event or an update, seen by any container) or the
 * cached value is older than the max age (the bound when an event is lost). The emulator version
 * of these rules is test/integration/rotation-bound.test.ts.
 */
const MAX_AGE_SECONDS = 300;

function setUp() {
  const clock = new ManualClock();
  const store = new InMemorySecretStore(clock.now);
  const secrets = new ProviderSecrets(store, { managedSecretPrefix: 'agentcore-identity/', maxAgeSeconds: MAX_AGE_SECONDS, reservedSecretNames: ['agentcore-identity-keys'] });
  return { clock, store, secrets };
}

function externalRecord(secretArn: string, secretGeneration = 1): CredentialProviderRecord {
  return { kind: 'apikey', name: 'weather', secretSource: 'EXTERNAL', secretArn, jsonKey: 'key', tags: {}, createdTime: 1, lastUpdatedTime: 1, version: 1, secretGeneration };
}

describe('the rotation bound', () => {
  it('serves warm vends from the cache: one read of the secret for many vends', async () => {
    const { store, secrets } = setUp();
    const arn = store.put('customer/weather', JSON.stringify({ key: 'first' }));
    for (let i = 0; i < 5; i++) expect(await secrets.credential(externalRecord(arn))).toBe('first');
    expect(store.fetches).toBe(1);
  });

  it('keeps serving the old value after a rotation nobody announced, until the max age passes', async () => {
    const { clock, store, secrets } = setUp();
    const arn = store.put('customer/weather', JSON.stringify({ key: 'first' }));
    await secrets.credential(externalRecord(arn));
    store.rotate(arn, JSON.stringify({ key: 'second' }));

    clock.advance(MAX_AGE_SECONDS * 1000 - 1);
    expect(await secrets.credential(externalRecord(arn))).toBe('first');
    clock.advance(1);
    expect(await secrets.credential(externalRecord(arn))).toBe('second');
  });

  it('serves the new value at once when the record says the generation moved', async () => {
    const { clock, store, secrets } = setUp();
    const arn = store.put('customer/weather', JSON.stringify({ key: 'first' }));
    await secrets.credential(externalRecord(arn, 1));
    store.rotate(arn, JSON.stringify({ key: 'second' }));
    clock.advance(1000);

    expect(await secrets.credential(externalRecord(arn, 2))).toBe('second');
    // Seen once: later vends at that generation are warm again.
    const fetches = store.fetches;
    expect(await secrets.credential(externalRecord(arn, 2))).toBe('second');
    expect(store.fetches).toBe(fetches);
  });

  it('reads a managed record at the version it names, never a version staged by a concurrent update', async () => {
    const { store, secrets } = setUp();
    const placement = await secrets.createManaged('apikey', 'weather', 'committed', {});
    const record: CredentialProviderRecord = { ...externalRecord(placement.secretArn), ...placement, jsonKey: 'apiKey' };
    await store.stageManaged(placement.secretArn, JSON.stringify({ apiKey: 'staged' }), 'v-staged');
    await store.promoteManaged(placement.secretArn, 'v-staged');

    expect(await secrets.credential(record)).toBe('committed');
    expect(await secrets.credential({ ...record, secretVersionId: 'v-staged', secretGeneration: 2 })).toBe('staged');
  });

  it('answers a problem, never a value, when the key is missing or the secret is gone', async () => {
    const { store, secrets } = setUp();
    const arn = store.put('customer/other', JSON.stringify({ other: 'x' }));
    expect(await secrets.credential(externalRecord(arn))).toEqual({ problem: 'missing-key' });
    expect(await secrets.credential(externalRecord(`${arn}-gone`))).toEqual({ problem: 'unavailable' });
  });
});
