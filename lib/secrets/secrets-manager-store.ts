import { awsFaultOf } from '../aws/errors.js';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretVersionStageCommand,
  paginateListSecrets,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { PENDING_STAGE, SecretUnavailable, type ManagedSecretSummary, type SecretProblem, type SecretStore } from './secret-store.js';

const NOT_FOUND = new Set(['ResourceNotFoundException']);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'KMSAccessDeniedException']);
/** What Secrets Manager answers when a stage is no longer where the caller last saw it. */
const STAGE_MOVED = new Set(['InvalidParameterException', 'InvalidRequestException']);

function problemOf(error: unknown): SecretProblem {
  // Throttled or unavailable is no property of the secret: the caller gets a retryable error.
  if (awsFaultOf(error)) throw error;
  const name = (error as { name?: string })?.name ?? '';
  const message = (error as { message?: string })?.message ?? '';
  if (NOT_FOUND.has(name)) return 'not-found';
  if (DENIED.has(name) || name.startsWith('KMS') || name === 'DecryptionFailure') return 'access-denied';
  if (name === 'InvalidRequestException' && /deleted|deletion/i.test(message)) return 'deleted';
  return 'unreadable';
}

const nameOf = (error: unknown) => (error as { name?: string })?.name ?? '';

/**
 * Secrets Manager behind the SecretStore port. Cached reads of AWSCURRENT go through Powertools'
 * SecretsProvider, whose max age bounds how stale a value can get when no rotation event arrives.
 * Reads of a named version (what a managed provider's record holds) have a cache of their own:
 * Powertools keys its cache by secret id alone, and a version's value never changes.
 */
export class SecretsManagerSecretStore implements SecretStore {
  private readonly cache: SecretsProvider;
  private readonly versions = new Map<string, { value: string; at: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly kmsKeyId: string,
    private readonly now: () => number = Date.now,
    private readonly maxCachedVersions = 1000,
  ) {
    this.cache = new SecretsProvider({ awsSdkV3Client: client });
  }

  async createManaged(input: { name: string; value: string; tags: Record<string, string>; description: string; versionId: string }): Promise<string> {
    const { ARN } = await this.client.send(
      new CreateSecretCommand({
        Name: input.name,
        Description: input.description,
        SecretString: input.value,
        KmsKeyId: this.kmsKeyId,
        ClientRequestToken: input.versionId,
        Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    return ARN!;
  }

  async setManagedTags(arn: string, tags: Record<string, string>): Promise<void> {
    const { Tags: current = [] } = await this.client.send(new DescribeSecretCommand({ SecretId: arn }));
    const had = new Map(current.map((tag) => [tag.Key!, tag.Value ?? '']));
    const changed = Object.keys(tags).filter((key) => had.get(key) !== tags[key]);
    const gone = [...had.keys()].filter((key) => !Object.hasOwn(tags, key));
    // Removals first: a secret holds at most 50 tags, and one at the limit may be swapping a key.
    if (gone.length > 0) await this.client.send(new UntagResourceCommand({ SecretId: arn, TagKeys: gone }));
    if (changed.length > 0) await this.client.send(new TagResourceCommand({ SecretId: arn, Tags: changed.map((Key) => ({ Key, Value: tags[Key]! })) }));
  }

  async stageManaged(arn: string, value: string, versionId: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value, ClientRequestToken: versionId, VersionStages: [PENDING_STAGE] }));
  }

  async promoteManaged(arn: string, versionId: string): Promise<boolean> {
    // A version without labels is missing from this map (Secrets Manager lists only labelled
    // ones): a committed version whose staging label a later write took over is such a one, and
    // moving AWSCURRENT to it is exactly what protects it from deprecation.
    const { VersionIdsToStages: stages = {} } = await this.client.send(new DescribeSecretCommand({ SecretId: arn }));
    const holder = Object.entries(stages).find(([, labels]) => labels.includes('AWSCURRENT'))?.[0];
    if (holder !== versionId) {
      try {
        await this.client.send(
          new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: versionId, ...(holder ? { RemoveFromVersionId: holder } : {}) }),
        );
      } catch (error) {
        if (STAGE_MOVED.has(nameOf(error))) return false;
        throw error;
      }
    }
    if (stages[versionId]?.includes(PENDING_STAGE)) await this.unstageManaged(arn, versionId);
    return true;
  }

  async unstageManaged(arn: string, versionId: string): Promise<void> {
    try {
      await this.client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: PENDING_STAGE, RemoveFromVersionId: versionId }));
    } catch (error) {
      // Already taken over by a later write, or the secret is gone: either way nothing is left to undo.
      if (!STAGE_MOVED.has(nameOf(error)) && problemOf(error) !== 'not-found') throw error;
    }
  }

  async deleteManaged(arn: string): Promise<void> {
    try {
      // No recovery window: no record names it any more, and its provider's name may be reused at once.
      await this.client.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
    } catch (error) {
      if (problemOf(error) !== 'not-found') throw error;
    }
  }

  async scheduleManagedDeletion(arn: string, recoveryWindowDays: number): Promise<void> {
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: recoveryWindowDays }));
    } catch (error) {
      if (problemOf(error) !== 'not-found') throw error;
    }
  }

  async listManaged(prefix: string): Promise<ManagedSecretSummary[]> {
    const found: ManagedSecretSummary[] = [];
    // The name filter is a prefix match; the check below keeps that true whatever the backend does.
    for await (const page of paginateListSecrets({ client: this.client }, { Filters: [{ Key: 'name', Values: [prefix] }], IncludePlannedDeletion: false })) {
      for (const secret of page.SecretList ?? []) {
        if (!secret.ARN || !secret.Name?.startsWith(prefix) || secret.DeletedDate) continue;
        found.push({ arn: secret.ARN, name: secret.Name, createdDate: secret.CreatedDate, versions: secret.SecretVersionsToStages ?? {} });
      }
    }
    return found;
  }

  async readNow(secretId: string): Promise<{ arn: string; value: string }> {
    try {
      const result = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
      if (result.SecretString === undefined) throw new SecretUnavailable('unreadable', secretId);
      return { arn: result.ARN!, value: result.SecretString };
    } catch (error) {
      if (error instanceof SecretUnavailable) throw error;
      throw new SecretUnavailable(problemOf(error), secretId);
    }
  }

  async readCached(arn: string, options: { maxAgeSeconds: number; forceFetch: boolean }): Promise<string> {
    try {
      // The stage named: some emulators answer an unnamed read from the version last written as
      // current, not from where a rotation's UpdateSecretVersionStage moved AWSCURRENT.
      const value = await this.cache.get(arn, { maxAge: options.maxAgeSeconds, forceFetch: options.forceFetch, sdkOptions: { VersionStage: 'AWSCURRENT' } });
      if (typeof value !== 'string') throw new SecretUnavailable('unreadable', arn);
      return value;
    } catch (error) {
      if (error instanceof SecretUnavailable) throw error;
      throw new SecretUnavailable(problemOf((error as { cause?: unknown }).cause ?? error), arn);
    }
  }

  async readVersion(arn: string, versionId: string, options: { maxAgeSeconds: number }): Promise<string> {
    const key = `${arn}#${versionId}`;
    const hit = this.versions.get(key);
    // Re-read after the max age all the same: a secret deleted behind the service's back stops being served.
    if (hit && this.now() - hit.at < options.maxAgeSeconds * 1000) return hit.value;
    let value: string | undefined;
    try {
      value = (await this.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: versionId }))).SecretString;
    } catch (error) {
      this.versions.delete(key);
      // Throttling and outages stay what they are (retryable); only a secret that cannot be read is unavailable.
      const problem = problemOf(error);
      if (problem === 'unreadable') throw error;
      throw new SecretUnavailable(problem, arn);
    }
    if (value === undefined) throw new SecretUnavailable('unreadable', arn);
    this.versions.delete(key);
    if (this.versions.size >= this.maxCachedVersions) this.versions.delete(this.versions.keys().next().value!);
    this.versions.set(key, { value, at: this.now() });
    return value;
  }

  async resolveArn(secretId: string): Promise<string | undefined> {
    try {
      return (await this.client.send(new DescribeSecretCommand({ SecretId: secretId }))).ARN;
    } catch (error) {
      if (problemOf(error) === 'not-found') return undefined;
      throw error;
    }
  }
}
