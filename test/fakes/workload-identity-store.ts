import type { Page } from '../../lib/pagination.js';
import type { WorkloadIdentityRecord, WorkloadIdentityStore } from '../../lib/workload-identities/store.js';

/** WorkloadIdentityStore in memory: conditional create, versioned updates, lists in key order as DynamoDB's scan by name. */
export class InMemoryWorkloadIdentityStore implements WorkloadIdentityStore {
  private readonly records = new Map<string, WorkloadIdentityRecord>();

  async create(record: WorkloadIdentityRecord): Promise<boolean> {
    if (this.records.has(record.name)) return false;
    this.records.set(record.name, structuredClone(record));
    return true;
  }

  async get(name: string): Promise<WorkloadIdentityRecord | undefined> {
    const record = this.records.get(name);
    return record && structuredClone(record);
  }

  async updateReturnUrls(name: string, urls: string[], now: number): Promise<WorkloadIdentityRecord | undefined> {
    const record = this.records.get(name);
    if (!record) return undefined;
    const next = { ...record, allowedResourceOauth2ReturnUrls: [...urls], lastUpdatedTime: now, version: record.version + 1 };
    this.records.set(name, next);
    return structuredClone(next);
  }

  async updateTags(name: string, tags: Record<string, string>, expectedVersion: number | undefined): Promise<boolean> {
    const record = this.records.get(name);
    if (!record || record.version !== expectedVersion) return false;
    this.records.set(name, { ...record, tags: structuredClone(tags), version: record.version + 1 });
    return true;
  }

  async delete(name: string): Promise<WorkloadIdentityRecord | undefined> {
    const record = this.records.get(name);
    this.records.delete(name);
    return record;
  }

  async list(limit: number, after?: string): Promise<Page<WorkloadIdentityRecord>> {
    const names = [...this.records.keys()].sort().filter((name) => after === undefined || name > after);
    const items = names.slice(0, limit).map((name) => structuredClone(this.records.get(name)!));
    return { items, lastKey: names.length > limit ? items.at(-1)!.name : undefined };
  }
}
