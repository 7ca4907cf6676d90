import { describe, expect, it } from 'vitest';
import { ValidationException } from '../../lib/errors.js';
import { PageTokens } from '../../lib/pagination.js';
import { workloadIdentityOperations } from '../../lib/workload-identities/workload-identities.js';
import { testCaller } from '../fakes/caller.js';
import { InMemoryServiceKeys } from '../fakes/service-keys.js';
import { InMemoryWorkloadIdentityStore } from '../fakes/workload-identity-store.js';

/** Pagination as a domain rule: every item once, in order, through tokens a caller cannot forge or move between lists. */
async function setUp(count: number) {
  const keys = new InMemoryServiceKeys();
  const pageTokens = new PageTokens(keys);
  const operations = workloadIdentityOperations({ store: new InMemoryWorkloadIdentityStore(), pageTokens, now: () => 1_700_000_000_000 });
  const names = Array.from({ length: count }, (_, i) => `agent-${String(i).padStart(3, '0')}`);
  for (const name of names) await operations.create({ name }, testCaller());
  return { keys, pageTokens, operations, names };
}

async function listAll(operations: Awaited<ReturnType<typeof setUp>>['operations'], maxResults?: number) {
  const seen: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await operations.list({ maxResults, nextToken }, testCaller());
    seen.push(...page.workloadIdentities.map((w: { name: string }) => w.name));
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken);
  return { seen, pages };
}

describe('pagination', () => {
  it('lists every item once, in order, a page of maxResults at a time', async () => {
    const { operations, names } = await setUp(23);
    const { seen, pages } = await listAll(operations, 10);
    expect(seen).toEqual(names);
    expect(pages).toBe(3);
  });

  it('pages by ten by default and gives no token after the last page', async () => {
    const { operations } = await setUp(10);
    const page = await operations.list({}, testCaller());
    expect(page.workloadIdentities).toHaveLength(10);
    expect(page.nextToken).toBeUndefined();
  });

  it('keeps honouring a token signed before a key rotation', async () => {
    const { keys, operations, names } = await setUp(4);
    const first = await operations.list({ maxResults: 2 }, testCaller());
    keys.rotate();
    const second = await operations.list({ maxResults: 2, nextToken: first.nextToken }, testCaller());
    expect(second.workloadIdentities.map((w: { name: string }) => w.name)).toEqual(names.slice(2));
  });

  it('refuses a token of another list, a tampered token and garbage with ValidationException', async () => {
    const { pageTokens, operations } = await setUp(3);
    const first = await operations.list({ maxResults: 1 }, testCaller());
    const token = first.nextToken!;
    const [payload, kid, signature] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ l: 'ListWorkloadIdentities', k: 'agent-002' })).toString('base64url')}.${kid}.${signature}`;
    const otherList = await pageTokens.encode('ListApiKeyCredentialProviders', 'agent-000');
    for (const nextToken of [forged, otherList, `${payload}.unknown-kid.${signature}`, 'not-a-token', '']) {
      await expect(operations.list({ maxResults: 1, nextToken }, testCaller()), nextToken).rejects.toBeInstanceOf(ValidationException);
    }
  });
});
