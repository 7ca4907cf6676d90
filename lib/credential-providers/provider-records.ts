import { ConflictException } from '../errors.js';
import type { PageTokens } from '../pagination.js';
import type { ProviderSecrets, SecretPlacement } from './provider-secrets.js';
import type { CredentialProviderRecord, CredentialProviderStore, ProviderKind } from './store.js';

const KIND_LABEL: Record<ProviderKind, string> = { apikey: 'API key', oauth2: 'OAuth2' };

/** Record-keeping both kinds of provider share: creating, updating under a version, listing. */
export function providerRecords(store: CredentialProviderStore, secrets: ProviderSecrets, pageTokens: PageTokens, now: () => number) {
  return {
    async create(kind: ProviderKind, name: string, placement: SecretPlacement, tags: Record<string, string>, settings?: Record<string, unknown>): Promise<CredentialProviderRecord> {
      const time = now();
      const record: CredentialProviderRecord = { kind, name, ...placement, tags, createdTime: time, lastUpdatedTime: time, version: 1, secretGeneration: 0, ...(settings ? { settings } : {}) };
      if (!(await store.create(record))) {
        await secrets.retire(placement);
        throw new ConflictException(`${KIND_LABEL[kind]} credential provider ${name} already exists`);
      }
      return record;
    },

    /** Writes the new record over `current` (same version) and retires a managed secret it no longer uses. */
    async update(current: CredentialProviderRecord, change: { placement: SecretPlacement; created?: SecretPlacement; settings?: Record<string, unknown> }): Promise<CredentialProviderRecord> {
      const record: CredentialProviderRecord = {
        ...current,
        ...change.placement,
        ...(change.settings ? { settings: change.settings } : {}),
        lastUpdatedTime: now(),
        version: current.version + 1,
        secretGeneration: current.secretGeneration + 1,
      };
      if (!(await store.replace(record, current.version))) {
        if (change.created) await secrets.retire(change.created);
        throw new ConflictException(`${KIND_LABEL[current.kind]} credential provider ${current.name} was changed or deleted concurrently; retry`);
      }
      if (current.secretSource === 'MANAGED' && current.secretArn !== record.secretArn) await secrets.retire(current);
      return record;
    },

    async list<T>(kind: ProviderKind, listName: string, input: { maxResults?: number; nextToken?: string }, item: (record: CredentialProviderRecord) => T) {
      const after = await pageTokens.decode(listName, input.nextToken);
      const page = await store.list(kind, input.maxResults ?? 10, after);
      return {
        credentialProviders: page.items.map(item),
        nextToken: page.lastKey === undefined ? undefined : await pageTokens.encode(listName, page.lastKey),
      };
    },
  };
}
