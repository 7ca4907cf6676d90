import type { Page } from '../pagination.js';

/** A workload identity as the service keeps it. Times are epoch milliseconds. */
export interface WorkloadIdentityRecord {
  name: string;
  allowedResourceOauth2ReturnUrls: string[];
  tags: Record<string, string>;
  createdTime: number;
  lastUpdatedTime: number;
  /** Bumped by every write; lets callers detect that a record changed under them. */
  version: number;
}

/** The port the domain talks to; dynamodb-store.ts is the adapter. */
export interface WorkloadIdentityStore {
  /** Returns false when the name is taken. */
  create(record: WorkloadIdentityRecord): Promise<boolean>;
  get(name: string): Promise<WorkloadIdentityRecord | undefined>;
  /** Atomic replacement of the return URLs; undefined when the identity does not exist. */
  updateReturnUrls(name: string, urls: string[], now: number): Promise<WorkloadIdentityRecord | undefined>;
  /** Replaces the tags if the record is still at `expectedVersion` (see versionedTagsUpdate); false otherwise, or when it is gone. */
  updateTags(name: string, tags: Record<string, string>, expectedVersion: number | undefined): Promise<boolean>;
  /** Returns what was deleted (its incarnation names what belongs to it), or undefined when there was nothing. */
  delete(name: string): Promise<WorkloadIdentityRecord | undefined>;
  list(limit: number, after?: string): Promise<Page<WorkloadIdentityRecord>>;
}
