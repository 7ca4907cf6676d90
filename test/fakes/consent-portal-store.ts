import type { ConsentPortalRecord, ConsentPortalStore } from '../../lib/consent-portals/store.js';
import type { Page } from '../../lib/pagination.js';

/** ConsentPortalStore in memory, with the adapter's conditions: unique names, writes and deletes under the id (and version) read. */
export class InMemoryConsentPortalStore implements ConsentPortalStore {
  private readonly records = new Map<string, ConsentPortalRecord>();

  async create(record: ConsentPortalRecord): Promise<boolean> {
    if (this.records.has(record.name)) return false;
    this.records.set(record.name, structuredClone(record));
    return true;
  }

  async get(name: string): Promise<ConsentPortalRecord | undefined> {
    const record = this.records.get(name);
    return record && structuredClone(record);
  }

  async replace(record: ConsentPortalRecord, expectedVersion: number): Promise<boolean> {
    const current = this.records.get(record.name);
    if (current?.consentPortalId !== record.consentPortalId || current.version !== expectedVersion) return false;
    this.records.set(record.name, structuredClone(record));
    return true;
  }

  async delete(name: string, consentPortalId: string): Promise<boolean> {
    if (this.records.get(name)?.consentPortalId !== consentPortalId) return false;
    return this.records.delete(name);
  }

  async list(limit: number, after?: string): Promise<Page<ConsentPortalRecord>> {
    const names = [...this.records.keys()].sort().filter((name) => after === undefined || name > after);
    const items = names.slice(0, limit).map((name) => structuredClone(this.records.get(name)!));
    return { items, lastKey: names.length > limit ? items.at(-1)!.name : undefined };
  }
}
