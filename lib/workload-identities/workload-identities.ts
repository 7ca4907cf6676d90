import { workloadIdentityArn } from '../arns.js';
import { ResourceNotFoundException, ValidationException } from '../errors.js';
import type { Input } from '../contract/types.js';
import type { CallerContext } from '../http/caller-context.js';
import type { PageTokens } from '../pagination.js';
import type { WorkloadIdentityRecord, WorkloadIdentityStore } from './store.js';
import { checkTagKeys } from '../resource-tags/tag-keys.js';

/**
 * Workload identities: one per agent, with the OAuth2 return URLs its 3-legged flows may send a
 * user back to. Behaviour where the contract is silent:
 * - Create with a name that exists: ValidationException, reason ResourceConflict (the operation
 *   models no ConflictException), and the existing identity is left as it was.
 * - Update replaces the return URL list when it is given and leaves it alone when it is absent;
 *   an empty list clears it. Concurrent updates are each atomic: the last one wins, none is lost
 *   half-applied, and an update never resurrects a deleted identity.
 * - Get, Update and Delete of an identity that does not exist: ResourceNotFoundException.
 */
export interface WorkloadIdentities {
  store: WorkloadIdentityStore;
  pageTokens: PageTokens;
  /** Deletes what belongs to the deleted incarnation (vault bindings, open consent sessions). */
  onDelete?: (record: WorkloadIdentityRecord) => Promise<void>;
  now?: () => number;
}

const LIST = 'ListWorkloadIdentities';
const DEFAULT_PAGE_SIZE = 10;

function describe(caller: CallerContext, record: WorkloadIdentityRecord) {
  return {
    name: record.name,
    workloadIdentityArn: workloadIdentityArn(caller, record.name),
    allowedResourceOauth2ReturnUrls: record.allowedResourceOauth2ReturnUrls,
    createdTime: new Date(record.createdTime),
    lastUpdatedTime: new Date(record.lastUpdatedTime),
  };
}

function notFound(name: string): ResourceNotFoundException {
  return new ResourceNotFoundException(`Workload identity ${name} does not exist`);
}

/** Return URLs without repeats; each must parse as an absolute URL (the contract's pattern is looser). */
function uniqueUrls(urls: string[] | undefined): string[] {
  (urls ?? []).forEach((url, i) => {
    if (!URL.canParse(url)) throw ValidationException.field(`allowedResourceOauth2ReturnUrls.${i + 1}`, 'must be an absolute URL');
  });
  return [...new Set(urls ?? [])];
}

export function workloadIdentityOperations({ store, pageTokens, onDelete, now = Date.now }: WorkloadIdentities) {
  return {
    async create(input: Input<'CreateWorkloadIdentity'>, caller: CallerContext) {
      checkTagKeys(input.tags);
      const time = now();
      const record: WorkloadIdentityRecord = {
        name: input.name,
        allowedResourceOauth2ReturnUrls: uniqueUrls(input.allowedResourceOauth2ReturnUrls),
        tags: input.tags ?? {},
        createdTime: time,
        lastUpdatedTime: time,
        version: 1,
      };
      if (!(await store.create(record))) {
        throw new ValidationException(`Workload identity ${input.name} already exists`, 'ResourceConflict', [
          { name: 'name', message: 'A workload identity with this name already exists' },
        ]);
      }
      const { name, workloadIdentityArn, allowedResourceOauth2ReturnUrls } = describe(caller, record);
      return { name, workloadIdentityArn, allowedResourceOauth2ReturnUrls };
    },

    async get(input: Input<'GetWorkloadIdentity'>, caller: CallerContext) {
      const record = await store.get(input.name);
      if (!record) throw notFound(input.name);
      return describe(caller, record);
    },

    async update(input: Input<'UpdateWorkloadIdentity'>, caller: CallerContext) {
      const record =
        input.allowedResourceOauth2ReturnUrls === undefined
          ? await store.get(input.name)
          : await store.updateReturnUrls(input.name, uniqueUrls(input.allowedResourceOauth2ReturnUrls), now());
      if (!record) throw notFound(input.name);
      return describe(caller, record);
    },

    async delete(input: Input<'DeleteWorkloadIdentity'>): Promise<void> {
      const deleted = await store.delete(input.name);
      if (!deleted) throw notFound(input.name);
      // After the record: anything written for this incarnation meanwhile is found here, or its
      // writer sees the workload gone and takes it back.
      await onDelete?.(deleted);
    },

    async list(input: Input<'ListWorkloadIdentities'>, caller: CallerContext) {
      const after = await pageTokens.decode(LIST, input.nextToken);
      const page = await store.list(input.maxResults ?? DEFAULT_PAGE_SIZE, after);
      return {
        workloadIdentities: page.items.map((r) => ({ name: r.name, workloadIdentityArn: workloadIdentityArn(caller, r.name) })),
        nextToken: page.lastKey === undefined ? undefined : await pageTokens.encode(LIST, page.lastKey),
      };
    },
  };
}
