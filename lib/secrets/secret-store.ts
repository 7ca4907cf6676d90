/** Why a secret could not be used; the message a caller sees is built from this, never from the value. */
export type SecretProblem = 'not-found' | 'access-denied' | 'deleted' | 'unreadable';

export class SecretUnavailable extends Error {
  constructor(
    readonly problem: SecretProblem,
    readonly secretId: string,
  ) {
    super(`secret ${secretId} is unavailable: ${problem}`);
  }
}

/**
 * The staging label of a managed secret's version that is written but not yet committed by its
 * provider record. Only one version holds it at a time (a later write takes it over), so a
 * version that lost the race for the record ends with no label and Secrets Manager deprecates it.
 */
export const PENDING_STAGE = 'AGENTCORE_PENDING';

/** A managed secret as the sweep sees it. */
export interface ManagedSecretSummary {
  arn: string;
  name: string;
  createdDate?: Date;
  /** VersionId -> staging labels. */
  versions: Record<string, string[]>;
}

/** The port to Secrets Manager. The domain reads and writes secrets only through it. */
export interface SecretStore {
  /**
   * A secret the service owns: one per credential provider, tagged, under the service's prefix.
   * Its first version gets the VersionId given, so that the record can name it before the
   * answer comes back.
   */
  createManaged(input: { name: string; value: string; tags: Record<string, string>; description: string; versionId: string }): Promise<string>;
  /** Writes a new version under PENDING_STAGE only: nothing that reads AWSCURRENT sees it yet. */
  stageManaged(arn: string, value: string, versionId: string): Promise<void>;
  /**
   * Moves AWSCURRENT to `versionId` (and takes PENDING_STAGE off it). False when another writer
   * moved AWSCURRENT in between: the caller looks again.
   */
  promoteManaged(arn: string, versionId: string): Promise<boolean>;
  /** Takes PENDING_STAGE off a version that lost its race, if it still holds it. */
  unstageManaged(arn: string, versionId: string): Promise<void>;
  /**
   * Makes a managed secret's tags exactly `tags`: removes the keys not in `tags`, then adds and
   * changes what differs. Idempotent, so a caller that failed half-way simply calls again.
   */
  setManagedTags(arn: string, tags: Record<string, string>): Promise<void>;
  /** Deletes at once; only for a secret no record names (the provider is gone, or never was). */
  deleteManaged(arn: string): Promise<void>;
  /** Deletes with a recovery window: for the sweep, which decides from listings. */
  scheduleManagedDeletion(arn: string, recoveryWindowDays: number): Promise<void>;
  /** Every secret whose name starts with `prefix`, except those already scheduled for deletion. */
  listManaged(prefix: string): Promise<ManagedSecretSummary[]>;
  /** Reads a secret now, uncached: for checks at create and update. Returns its full ARN too. */
  readNow(secretId: string): Promise<{ arn: string; value: string }>;
  /** Reads a secret's AWSCURRENT through the container's cache; `forceFetch` after a known change. */
  readCached(arn: string, options: { maxAgeSeconds: number; forceFetch: boolean }): Promise<string>;
  /** Reads one version of a secret through the container's cache, keyed by ARN and VersionId. */
  readVersion(arn: string, versionId: string, options: { maxAgeSeconds: number }): Promise<string>;
  /** The full ARN of a secret given by name, partial or full ARN, if it exists. */
  resolveArn(secretId: string): Promise<string | undefined>;
}
