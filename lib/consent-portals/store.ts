import type { Page } from '../pagination.js';

export type ConsentPortalStatus = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'UPDATE_FAILED' | 'DELETING' | 'FAILED';

export interface ConsentPortalIdpConfig {
  /** As the caller gave it (either ARN namespace), echoed back as given. */
  credentialProviderArn: string;
  scopes: string[];
  audience?: string;
}

export interface ConsentPortalSource {
  type: 'agentcore-gateway';
  identifier: string;
}

/** A consent portal as the service keeps it. Times are epoch milliseconds. */
export interface ConsentPortalRecord {
  /** `<name>-<10 alphanumerics>`: a portal deleted and created again under its name gets a new id. */
  consentPortalId: string;
  name: string;
  description?: string;
  executionRoleArn: string;
  idpConfig: ConsentPortalIdpConfig;
  sources: ConsentPortalSource[];
  tags: Record<string, string>;
  status: ConsentPortalStatus;
  createdTime: number;
  lastUpdatedTime: number;
  /** Optimistic-concurrency version, bumped by every write. */
  version: number;
  /** Unique per write: a retried write refused because its own first attempt landed is recognized by it. */
  writeId: string;
}

/**
 * The port the domain talks to; dynamodb-store.ts is the adapter. Portals are keyed by name (a
 * name is unique), and every read or write by id checks that the record under that name still
 * has that id, so an id of a deleted portal never reaches its successor of the same name.
 */
export interface ConsentPortalStore {
  /** False when the name is taken. */
  create(record: ConsentPortalRecord): Promise<boolean>;
  get(name: string): Promise<ConsentPortalRecord | undefined>;
  /** Writes `record` if the stored one has its id and `expectedVersion`; false otherwise. */
  replace(record: ConsentPortalRecord, expectedVersion: number): Promise<boolean>;
  /** False when no portal with this id exists (any more). */
  delete(name: string, consentPortalId: string): Promise<boolean>;
  list(limit: number, after?: string): Promise<Page<ConsentPortalRecord>>;
}
