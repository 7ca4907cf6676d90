import { describe, expect, it } from 'vitest';
import { DynamoDbTokenVaultStore } from '../../lib/token-vault/dynamodb-store.js';
import { bindingId, type VaultBinding } from '../../lib/token-vault/store.js';
import { emulatorDocumentClient, stack, uniqueName } from '../setup/clients.js';

/**
 * The vault's byUser index on the emulator: the adapter's cursor, limit and workload filter over
 * several pages (ListUserConnections reads it 250 at a time; here 2, so every page boundary shows).
 */
const store = new DynamoDbTokenVaultStore(emulatorDocumentClient(), stack.functionEnvironment.TOKEN_VAULT_TABLE!);

async function bind(user: string, workload: string, provider: string): Promise<string> {
  const key = { workload, user, provider };
  const binding: VaultBinding = {
    id: bindingId(key),
    ...key,
    envelope: { edk: 'e', keyArn: 'k', iv: 'i', ciphertext: 'c', tag: 't' },
    scopes: ['read'],
    hasRefreshToken: true,
    version: 1,
    updatedAt: 1,
  };
  expect(await store.put(binding, { version: 0 })).toBe(true);
  return `${workload} ${provider}`;
}

async function everyPage(user: string, workloadName?: string): Promise<{ pages: number; found: string[] }> {
  const found: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.listByUser(user, { limit: 2, ...(cursor ? { cursor } : {}), ...(workloadName ? { workloadName } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(2);
    for (const item of page.items) {
      expect(item.user).toBe(user);
      expect(item).not.toHaveProperty('envelope');
    }
    found.push(...page.items.map((item) => `${item.workload} ${item.provider}`));
    cursor = page.lastKey;
    pages++;
  } while (cursor && pages < 20);
  return { pages, found };
}

describe('the token vault by user (DynamoDB index)', () => {
  it('pages through every binding of a user and only theirs, and narrows to one workload by its incarnations', async () => {
    const user = `id:${uniqueName('paged-user')}`;
    const other = `id:${uniqueName('other-user')}`;
    const agent = uniqueName('agent');
    const expected = [
      await bind(user, `${agent}@1`, 'oauth2/github@1'),
      await bind(user, `${agent}@1`, 'oauth2/slack@1'),
      await bind(user, `${agent}@2`, 'oauth2/github@2'),
      await bind(user, `${agent}x@1`, 'oauth2/github@1'),
      await bind(user, `${agent}x@1`, 'oauth2/slack@1'),
    ];
    await bind(other, `${agent}@1`, 'oauth2/github@1');

    const all = await everyPage(user);
    expect(all.found.sort()).toEqual([...expected].sort());
    expect(all.pages).toBeGreaterThanOrEqual(3);
    // `<name>@` is the filter: a workload whose name merely starts the same is another workload.
    const one = await everyPage(user, agent);
    expect(one.found.sort()).toEqual(expected.filter((e) => e.startsWith(`${agent}@`)).sort());
  });
});
