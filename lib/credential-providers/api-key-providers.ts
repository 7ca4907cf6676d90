import { apiKeyCredentialProviderArn } from '../arns.js';
import { ConflictException, ResourceNotFoundException, ValidationException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import type { PageTokens } from '../pagination.js';
import type { ProviderSecrets, SecretFields, SecretPlacement } from './provider-secrets.js';
import type { CredentialProviderRecord, CredentialProviderStore, SecretSource } from './store.js';

/**
 * API key credential providers. Behaviour where the contract is silent:
 * - A duplicate name is a ConflictException; nothing is created (a secret made for the loser of
 *   a race is deleted again).
 * - Update takes a new `apiKey` (MANAGED: a new version of the same secret) or a new
 *   `apiKeySecretConfig` (EXTERNAL, checked like at create); switching source retires the
 *   managed secret. Concurrent updates: one wins, the others get a ConflictException.
 * - Delete removes the provider and its managed secret; an external secret is never touched.
 */
const FIELDS: SecretFields = { value: 'apiKey', source: 'apiKeySecretSource', config: 'apiKeySecretConfig' };
const LIST = 'ListApiKeyCredentialProviders';

interface ApiKeyProviderInput {
  name: string;
  apiKey?: string;
  apiKeySecretSource?: SecretSource;
  apiKeySecretConfig?: { secretId: string; jsonKey: string };
  tags?: Record<string, string>;
}

export interface ApiKeyProviderDependencies {
  store: CredentialProviderStore;
  secrets: ProviderSecrets;
  pageTokens: PageTokens;
  now?: () => number;
}

function describe(caller: CallerContext, record: CredentialProviderRecord) {
  return {
    name: record.name,
    credentialProviderArn: apiKeyCredentialProviderArn(caller, record.name),
    apiKeySecretArn: { secretArn: record.secretArn },
    apiKeySecretSource: record.secretSource,
    apiKeySecretJsonKey: record.secretSource === 'EXTERNAL' ? record.jsonKey : undefined,
    createdTime: new Date(record.createdTime),
    lastUpdatedTime: new Date(record.lastUpdatedTime),
  };
}

const notFound = (name: string) => new ResourceNotFoundException(`API key credential provider ${name} does not exist`);

export function apiKeyProviderOperations({ store, secrets, pageTokens, now = Date.now }: ApiKeyProviderDependencies) {
  const secretInput = (input: ApiKeyProviderInput) => ({ value: input.apiKey, source: input.apiKeySecretSource, config: input.apiKeySecretConfig });

  async function place(input: ApiKeyProviderInput, caller: CallerContext, valueRequired: boolean, tags: Record<string, string>): Promise<SecretPlacement | undefined> {
    const source = secrets.sourceOf(secretInput(input), FIELDS, { valueRequired });
    if (source === 'EXTERNAL') return secrets.checkExternal(input.apiKeySecretConfig!, FIELDS, caller);
    if (input.apiKey === undefined) return undefined;
    return secrets.createManaged('apikey', input.name, input.apiKey, tags);
  }

  return {
    async create(input: ApiKeyProviderInput, caller: CallerContext) {
      const tags = input.tags ?? {};
      const placement = (await place(input, caller, true, tags))!;
      const time = now();
      const record: CredentialProviderRecord = { kind: 'apikey', name: input.name, ...placement, tags, createdTime: time, lastUpdatedTime: time, version: 1, secretGeneration: 0 };
      if (!(await store.create(record))) {
        await secrets.retire(placement);
        throw new ConflictException(`API key credential provider ${input.name} already exists`);
      }
      const { createdTime: _c, lastUpdatedTime: _u, ...created } = describe(caller, record);
      return created;
    },

    async get(input: { name: string }, caller: CallerContext) {
      const record = await store.get({ kind: 'apikey', name: input.name });
      if (!record) throw notFound(input.name);
      return describe(caller, record);
    },

    async update(input: ApiKeyProviderInput, caller: CallerContext) {
      const current = await store.get({ kind: 'apikey', name: input.name });
      if (!current) throw notFound(input.name);
      if (input.apiKey === undefined && input.apiKeySecretConfig === undefined && input.apiKeySecretSource === undefined) {
        throw ValidationException.field('apiKey', 'or apiKeySecretConfig is required: there is nothing to update');
      }
      const source = secrets.sourceOf(secretInput(input), FIELDS, { valueRequired: current.secretSource === 'EXTERNAL' });
      let placement: SecretPlacement;
      let created: SecretPlacement | undefined;
      if (source === 'EXTERNAL') placement = await secrets.checkExternal(input.apiKeySecretConfig!, FIELDS, caller);
      else if (current.secretSource === 'MANAGED') {
        placement = current;
        await secrets.putManaged(current, input.apiKey!);
      } else placement = created = await secrets.createManaged('apikey', input.name, input.apiKey!, current.tags);

      const record: CredentialProviderRecord = {
        ...current,
        ...placement,
        lastUpdatedTime: now(),
        version: current.version + 1,
        secretGeneration: current.secretGeneration + 1,
      };
      if (!(await store.replace(record, current.version))) {
        if (created) await secrets.retire(created);
        throw new ConflictException(`API key credential provider ${input.name} was changed or deleted concurrently; retry`);
      }
      if (current.secretSource === 'MANAGED' && current.secretArn !== record.secretArn) await secrets.retire(current);
      return describe(caller, record);
    },

    async delete(input: { name: string }): Promise<void> {
      const deleted = await store.delete({ kind: 'apikey', name: input.name });
      if (!deleted) throw notFound(input.name);
      await secrets.retire(deleted);
    },

    async list(input: { maxResults?: number; nextToken?: string }, caller: CallerContext) {
      const after = await pageTokens.decode(LIST, input.nextToken);
      const page = await store.list('apikey', input.maxResults ?? 10, after);
      return {
        credentialProviders: page.items.map((r) => {
          const { name, credentialProviderArn, createdTime, lastUpdatedTime } = describe(caller, r);
          return { name, credentialProviderArn, createdTime, lastUpdatedTime };
        }),
        nextToken: page.lastKey === undefined ? undefined : await pageTokens.encode(LIST, page.lastKey),
      };
    },
  };
}
