import type { Page } from '../pagination.js';
// Type-only, both ways (erased at build): the settings belong beside the code that resolves them.
import type { OAuth2Settings } from './oauth2-providers.js';

export type ProviderKind = 'apikey' | 'oauth2';
export type SecretSource = 'MANAGED' | 'EXTERNAL';

/** What every credential provider keeps. It never holds the secret, only where it is. */
interface ProviderRecordBase {
  name: string;
  secretSource: SecretSource;
  /** Full ARN of the secret that holds the API key or client secret. */
  secretArn: string;
  /**
   * MANAGED: the version of the secret that holds this record's credential. Vends read exactly
   * this version, so a secret version written by an update that lost its race is never served,
   * whatever AWSCURRENT says. Absent for EXTERNAL secrets (their AWSCURRENT is read) and for
   * records written before versions were pinned (read like EXTERNAL until their next update).
   */
  secretVersionId?: string;
  /** Where the credential sits in the secret's JSON value. */
  jsonKey: string;
  tags: Record<string, string>;
  createdTime: number;
  lastUpdatedTime: number;
  /**
   * Unique per write of the control plane. A conditional write refused because an earlier
   * attempt of the same write landed (an SDK retry after a lost answer) is recognized by it, and
   * is not mistaken for a lost race: its secret is neither undone nor reported as a conflict.
   */
  writeId?: string;
  /** Optimistic-concurrency version, bumped by every write. */
  version: number;
  /**
   * Bumped whenever the secret's value is known to have changed (an update, a rotation event).
   * Every container compares it with the generation it cached, so one write invalidates them all.
   */
  secretGeneration: number;
}

export interface ApiKeyProviderRecord extends ProviderRecordBase {
  kind: 'apikey';
}

export interface OAuth2ProviderRecord extends ProviderRecordBase {
  kind: 'oauth2';
  /** The vendor configuration, resolved at create or update. */
  settings: OAuth2Settings;
}

/** A credential provider as the service keeps it, by kind. */
export type CredentialProviderRecord = ApiKeyProviderRecord | OAuth2ProviderRecord;
/** What only one kind of record has: its kind and, for OAuth2, its settings. */
export type KindFields = { kind: 'apikey' } | { kind: 'oauth2'; settings: OAuth2Settings };

/**
 * A conditional write refused after the SDK had retried it: an earlier attempt may have landed
 * and been overwritten since, so whether this write ever took effect is unknown. Never reported
 * as a conflict (its value may have been vended); the caller gets a retryable error.
 */
export class RetriedWriteRefused extends Error {
  override readonly name = 'RetriedWriteRefused';
  constructor(readonly attempts: number) {
    super(`conditional write refused after ${attempts} attempts`);
  }
}

export interface ProviderKey {
  kind: ProviderKind;
  name: string;
}

export interface CredentialProviderStore {
  /** Returns false when the name is taken; throws RetriedWriteRefused when that is not sure. */
  create(record: CredentialProviderRecord): Promise<boolean>;
  get(key: ProviderKey): Promise<CredentialProviderRecord | undefined>;
  /** Writes `record` if the stored version is still `expectedVersion`; false otherwise (or RetriedWriteRefused). */
  replace(record: CredentialProviderRecord, expectedVersion: number): Promise<boolean>;
  /** Replaces the tags if the record is still at `expectedVersion` (see versionedTagsUpdate); false otherwise, or when it is gone. */
  updateTags(key: ProviderKey, tags: Record<string, string>, expectedVersion: number | undefined): Promise<boolean>;
  /** Returns what was deleted, if anything. */
  delete(key: ProviderKey): Promise<CredentialProviderRecord | undefined>;
  list(kind: ProviderKind, limit: number, after?: string): Promise<Page<CredentialProviderRecord>>;
  findBySecretArn(secretArn: string): Promise<ProviderKey[]>;
  /**
   * Marks the provider's secret as changed; false when the provider no longer exists or pins a
   * version of its secret (a managed secret's stage moves are the service's own writes, and
   * its record already names the version to read).
   */
  bumpSecretGeneration(key: ProviderKey): Promise<boolean>;
}
