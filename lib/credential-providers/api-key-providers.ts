import { apiKeyCredentialProviderArn } from '../arns.js';
import { ResourceNotFoundException, ValidationException } from '../errors.js';
import type { Input } from '../contract/types.js';
import type { CallerContext } from '../http/caller-context.js';
import type { PageTokens } from '../pagination.js';
import type { ProviderSecrets, SecretFields } from './provider-secrets.js';
import { ProviderRecords } from './provider-records.js';
import type { CredentialProviderRecord, CredentialProviderStore, SecretSource } from './store.js';
import { checkTagKeys } from '../resource-tags/tag-keys.js';

/**
 * API key credential providers. Behaviour where the contract is silent:
 * - A duplicate name is a ConflictException; nothing is created (a secret made for the loser of
 *   a race is deleted again).
 * - Update takes a new `apiKey` (MANAGED: a new version of the same secret, which the record
 *   names and vends read) or a new `apiKeySecretConfig` (EXTERNAL, checked like at create);
 *   switching source retires the managed secret. Concurrent updates: one wins per record
 *   version, the others get a ConflictException and their value is never vended; a write whose
 *   outcome cannot be known (a retried request refused) is an InternalServerException instead.
 * - Delete removes the provider, then its managed secret; an external secret is never touched.
 *   Whatever an interruption leaves is removed by the hourly sweep (managed-secret-sweep.ts).
 */
const FIELDS: SecretFields = { value: 'apiKey', source: 'apiKeySecretSource', config: 'apiKeySecretConfig' };
const LIST = 'ListApiKeyCredentialProviders';

type ApiKeyProviderInput = Input<'CreateApiKeyCredentialProvider'> | Input<'UpdateApiKeyCredentialProvider'>;

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
  const records = new ProviderRecords(store, secrets, pageTokens, now);
  const secretInput = (input: ApiKeyProviderInput) => ({ value: input.apiKey, source: input.apiKeySecretSource, config: input.apiKeySecretConfig });

  return {
    async create(input: Input<'CreateApiKeyCredentialProvider'>, caller: CallerContext) {
      checkTagKeys(input.tags);
      const tags = input.tags ?? {};
      const placement = await secrets.place('apikey', input.name, secretInput(input), FIELDS, caller, tags);
      const record = await records.create({ kind: 'apikey' }, input.name, placement, tags);
      const { createdTime: _c, lastUpdatedTime: _u, ...created } = describe(caller, record);
      return created;
    },

    async get(input: Input<'GetApiKeyCredentialProvider'>, caller: CallerContext) {
      const record = await store.get({ kind: 'apikey', name: input.name });
      if (!record) throw notFound(input.name);
      return describe(caller, record);
    },

    async update(input: Input<'UpdateApiKeyCredentialProvider'>, caller: CallerContext) {
      const current = await store.get({ kind: 'apikey', name: input.name });
      if (!current) throw notFound(input.name);
      if (input.apiKey === undefined && input.apiKeySecretConfig === undefined && input.apiKeySecretSource === undefined) {
        throw ValidationException.field('apiKey', 'or apiKeySecretConfig is required: there is nothing to update');
      }
      const record = await records.update(current, await secrets.replace(current, secretInput(input), FIELDS, caller));
      return describe(caller, record);
    },

    async delete(input: Input<'DeleteApiKeyCredentialProvider'>): Promise<void> {
      const deleted = await store.delete({ kind: 'apikey', name: input.name });
      if (!deleted) throw notFound(input.name);
      await secrets.release(deleted);
    },

    list(input: Input<'ListApiKeyCredentialProviders'>, caller: CallerContext) {
      return records.list('apikey', LIST, input, (r) => {
        const { name, credentialProviderArn, createdTime, lastUpdatedTime } = describe(caller, r);
        return { name, credentialProviderArn, createdTime, lastUpdatedTime };
      });
    },
  };
}
