import { randomBytes, randomUUID } from 'node:crypto';
import { ValidationException } from '../errors.js';
import { logger } from '../logger.js';
import { checkSecretLocation, describeJsonKeyProblem, valueAtJsonKey } from '../secrets/secret-reference.js';
import { SecretUnavailable, type SecretStore } from '../secrets/secret-store.js';
import type { CredentialProviderRecord, ProviderKind, SecretSource } from './store.js';

/** The three request members that say where a provider's secret comes from, named per kind. */
export interface SecretFields {
  value: string; // apiKey | clientSecret
  source: string; // apiKeySecretSource | clientSecretSource
  config: string; // apiKeySecretConfig | clientSecretConfig
}

export interface SecretInput {
  value?: string;
  source?: SecretSource;
  config?: { secretId: string; jsonKey: string };
}

/** Where a provider's secret is, once decided: what a record keeps. */
export type SecretPlacement = Pick<CredentialProviderRecord, 'secretSource' | 'secretArn' | 'jsonKey' | 'secretVersionId'>;

/**
 * What an update did to secrets before its record is committed, so that the loser of a race
 * can undo it: a managed secret it created, or a version it staged on the current one.
 */
export interface SecretChange {
  placement: SecretPlacement;
  created?: SecretPlacement;
  staged?: { secretArn: string; versionId: string };
  changed: boolean;
}

const MANAGED_JSON_KEY: Record<ProviderKind, string> = { apikey: 'apiKey', oauth2: 'clientSecret' };
/** Secrets Manager's limit of tags per secret, the same as a provider's. */
const MAX_SECRET_TAGS = 50;

/**
 * A managed secret carries its provider's tags and the service's mark naming the provider, which
 * no tag of the provider's overrides; the mark yields when the provider has all 50 tags.
 */
function managedSecretTags(kind: ProviderKind, name: string, tags: Record<string, string>): Record<string, string> {
  const mark = 'agentcore-identity:credential-provider';
  if (Object.keys(tags).length >= MAX_SECRET_TAGS && !Object.hasOwn(tags, mark)) return { ...tags };
  return { ...tags, [mark]: `${kind}/${name}` };
}

/**
 * The one place that knows MANAGED from EXTERNAL secrets: checks a customer's secret before a
 * provider may point at it, creates and retires the service's own, and reads the credential
 * for a vend through a cache that a rotation anywhere invalidates.
 */
export class ProviderSecrets {
  /** provider + secret -> the secretGeneration this container last fetched the value for. */
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly secrets: SecretStore,
    private readonly settings: { managedSecretPrefix: string; maxAgeSeconds: number; reservedSecretNames: string[] },
  ) {}

  /** Checks the combination of members; says which source the request asks for. */
  sourceOf(input: SecretInput, fields: SecretFields, { valueRequired }: { valueRequired: boolean }): SecretSource {
    const source = input.source ?? (input.config ? 'EXTERNAL' : 'MANAGED');
    // The model allows an empty value (length 0); no API or authorization server accepts an empty
    // credential, so storing one would only move the failure to the first vend.
    if (input.value === '') {
      throw ValidationException.field(fields.value, `must not be empty: give the credential, or set ${fields.source} to EXTERNAL and ${fields.config} to read it from your own secret`);
    }
    if (source === 'EXTERNAL') {
      if (!input.config) throw ValidationException.field(fields.config, `is required when ${fields.source} is EXTERNAL`);
      if (input.value !== undefined) throw ValidationException.field(fields.value, `must not be given when ${fields.source} is EXTERNAL`);
    } else {
      if (input.config) throw ValidationException.field(fields.config, `must not be given when ${fields.source} is MANAGED`);
      if (valueRequired && input.value === undefined) throw ValidationException.field(fields.value, `is required when ${fields.source} is MANAGED`);
    }
    return source;
  }

  /** A customer's secret is accepted only if it can be read now and holds the JSON key. */
  async checkExternal(config: { secretId: string; jsonKey: string }, fields: SecretFields, where: { partition: string; region: string }): Promise<SecretPlacement> {
    const field = `${fields.config}.secretId`;
    checkSecretLocation(config.secretId, field, where);
    let read: { arn: string; value: string };
    try {
      read = await this.secrets.readNow(config.secretId);
    } catch (error) {
      if (!(error instanceof SecretUnavailable)) throw error;
      const why = {
        'not-found': 'names no secret that exists',
        'access-denied': 'names a secret this service is not allowed to read (check its resource policy and KMS key policy)',
        deleted: 'names a secret that is scheduled for deletion',
        unreadable: 'names a secret whose value cannot be read as text',
      }[error.problem];
      throw ValidationException.field(field, why);
    }
    checkSecretLocation(read.arn, field, where);
    // The service's own secrets (other providers' managed secrets, its key ring) are never a
    // customer's: pointing a provider at one would hand their value to whoever can vend from it.
    const name = read.arn.split(':secret:')[1]?.replace(/-[A-Za-z0-9]{6}$/, '') ?? '';
    if (name.startsWith(this.settings.managedSecretPrefix) || this.settings.reservedSecretNames.includes(name)) {
      throw ValidationException.field(field, 'names a secret this service manages itself');
    }
    const found = valueAtJsonKey(read.value, config.jsonKey);
    if ('problem' in found) throw ValidationException.field(`${fields.config}.jsonKey`, `names a key the secret lacks: the secret ${describeJsonKeyProblem(found.problem, config.jsonKey)}`);
    // No version: a customer's secret is read at AWSCURRENT, which their rotations move.
    return { secretSource: 'EXTERNAL', secretArn: read.arn, jsonKey: config.jsonKey, secretVersionId: undefined };
  }

  /** Where a new provider's secret goes: checked (EXTERNAL) or created (MANAGED). */
  async place(kind: ProviderKind, name: string, input: SecretInput, fields: SecretFields, where: { partition: string; region: string }, tags: Record<string, string>): Promise<SecretPlacement> {
    if (this.sourceOf(input, fields, { valueRequired: true }) === 'EXTERNAL') return this.checkExternal(input.config!, fields, where);
    return this.createManaged(kind, name, input.value!, tags);
  }

  /**
   * Where an updated provider's secret goes. MANAGED to MANAGED stages a new version of the same
   * secret (AWSCURRENT stays where it is until the record names the new version); a switch to
   * MANAGED creates a secret. Both are returned for undoing if the record write loses its race.
   * EXTERNAL is checked like at create. No new secret input: unchanged.
   */
  async replace(current: CredentialProviderRecord, input: SecretInput, fields: SecretFields, where: { partition: string; region: string }): Promise<SecretChange> {
    const unchanged = { placement: pick(current), changed: false };
    if (input.value === undefined && input.config === undefined && input.source === undefined) return unchanged;
    const source = this.sourceOf(input, fields, { valueRequired: current.secretSource === 'EXTERNAL' || input.source === 'MANAGED' });
    if (source === 'EXTERNAL') return { placement: await this.checkExternal(input.config!, fields, where), changed: true };
    if (input.value === undefined) return unchanged;
    if (current.secretSource === 'MANAGED') {
      const versionId = randomUUID();
      await this.secrets.stageManaged(current.secretArn, JSON.stringify({ [current.jsonKey]: input.value }), versionId);
      return { placement: { ...pick(current), secretVersionId: versionId }, staged: { secretArn: current.secretArn, versionId }, changed: true };
    }
    const created = await this.createManaged(current.kind, current.name, input.value, current.tags);
    return { placement: created, created, changed: true };
  }

  async createManaged(kind: ProviderKind, name: string, value: string, tags: Record<string, string>): Promise<SecretPlacement> {
    const jsonKey = MANAGED_JSON_KEY[kind];
    // A random suffix: a provider deleted and recreated at once never collides with its old secret.
    const secretName = `${this.settings.managedSecretPrefix}${kind}/${name}-${randomBytes(4).toString('hex')}`;
    const versionId = randomUUID();
    const secretArn = await this.secrets.createManaged({
      name: secretName,
      value: JSON.stringify({ [jsonKey]: value }),
      tags: managedSecretTags(kind, name, tags),
      description: `Credential of the ${kind === 'apikey' ? 'API key' : 'OAuth2'} credential provider ${name}`,
      versionId,
    });
    return { secretSource: 'MANAGED', secretArn, jsonKey, secretVersionId: versionId };
  }

  /** Gives a managed secret its provider's tags as `record` has them; a customer's secret is never touched. */
  async retag(record: CredentialProviderRecord): Promise<void> {
    if (record.secretSource === 'MANAGED') await this.secrets.setManagedTags(record.secretArn, managedSecretTags(record.kind, record.name, record.tags));
  }

  /** Removes the service's own secret; a customer's secret is never touched. */
  async retire(placement: SecretPlacement): Promise<void> {
    if (placement.secretSource === 'MANAGED') await this.secrets.deleteManaged(placement.secretArn);
  }

  /**
   * Undoes what `replace` or `place` wrote for a record write that lost its race (no record names
   * it). Best effort: whatever an error leaves, no record names it, and the sweep removes it.
   */
  async abandon(change: Pick<SecretChange, 'created' | 'staged'>): Promise<void> {
    await Promise.all([
      change.created && this.quietly('abandon created secret', change.created.secretArn, () => this.retire(change.created!)),
      change.staged && this.quietly('abandon staged version', change.staged.secretArn, () => this.secrets.unstageManaged(change.staged!.secretArn, change.staged!.versionId)),
    ]);
  }

  /** Retires a managed secret no record names any more; the sweep removes it if this fails. */
  async release(placement: SecretPlacement): Promise<void> {
    await this.quietly('retire secret', placement.secretArn, () => this.retire(placement));
  }

  /** Moves AWSCURRENT to the version a record names; false when another writer moved it meanwhile. */
  promote(secretArn: string, versionId: string): Promise<boolean> {
    return this.secrets.promoteManaged(secretArn, versionId);
  }

  private async quietly(step: string, secretArn: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      logger.warn('secret clean-up left for the sweep', { step, secretArn, errorName: (error as Error)?.name });
    }
  }

  /**
   * The credential for a vend. Served from the container's cache unless the provider's secret
   * generation moved past the one cached (a rotation event or an update, anywhere), or the
   * cached value is older than the max age (the bound when an event is lost).
   */
  async credential(record: CredentialProviderRecord): Promise<string | { problem: 'missing-key' | 'not-json' | 'not-a-string' | 'unavailable' }> {
    // Per provider incarnation, while the secret cache below is per ARN: a provider this container
    // has not vended yet (another provider on the same secret, or one re-created under its name)
    // fetches afresh rather than trust what was cached for someone else.
    const key = `${record.kind}/${record.name}/${record.createdTime}/${record.secretArn}`;
    const seen = this.generations.get(key);
    const forceFetch = seen === undefined || seen < record.secretGeneration;
    let raw: string;
    try {
      // A managed record names its version: what a concurrent update staged, or what AWSCURRENT
      // says in between, never reaches a vend.
      raw =
        record.secretSource === 'MANAGED' && record.secretVersionId
          ? await this.secrets.readVersion(record.secretArn, record.secretVersionId, { maxAgeSeconds: this.settings.maxAgeSeconds })
          : await this.secrets.readCached(record.secretArn, { maxAgeSeconds: this.settings.maxAgeSeconds, forceFetch });
    } catch (error) {
      if (error instanceof SecretUnavailable) return { problem: 'unavailable' };
      throw error;
    }
    if (seen === undefined || seen < record.secretGeneration) this.generations.set(key, record.secretGeneration);
    const found = valueAtJsonKey(raw, record.jsonKey);
    return 'value' in found ? found.value : found;
  }
}

function pick(record: CredentialProviderRecord): SecretPlacement {
  return { secretSource: record.secretSource, secretArn: record.secretArn, jsonKey: record.jsonKey, secretVersionId: record.secretVersionId };
}
