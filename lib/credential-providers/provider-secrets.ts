import { randomBytes } from 'node:crypto';
import { ValidationException } from '../errors.js';
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
export type SecretPlacement = Pick<CredentialProviderRecord, 'secretSource' | 'secretArn' | 'jsonKey'>;

const MANAGED_JSON_KEY: Record<ProviderKind, string> = { apikey: 'apiKey', oauth2: 'clientSecret' };

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
    return { secretSource: 'EXTERNAL', secretArn: read.arn, jsonKey: config.jsonKey };
  }

  /** Where a new provider's secret goes: checked (EXTERNAL) or created (MANAGED). */
  async place(kind: ProviderKind, name: string, input: SecretInput, fields: SecretFields, where: { partition: string; region: string }, tags: Record<string, string>): Promise<SecretPlacement> {
    if (this.sourceOf(input, fields, { valueRequired: true }) === 'EXTERNAL') return this.checkExternal(input.config!, fields, where);
    return this.createManaged(kind, name, input.value!, tags);
  }

  /**
   * Where an updated provider's secret goes. MANAGED to MANAGED writes a new version of the same
   * secret; a switch to MANAGED creates one (returned as `created`, for undoing if the record
   * write loses a race); EXTERNAL is checked like at create. No new secret input: unchanged.
   */
  async replace(current: CredentialProviderRecord, input: SecretInput, fields: SecretFields, where: { partition: string; region: string }): Promise<{ placement: SecretPlacement; created?: SecretPlacement; changed: boolean }> {
    if (input.value === undefined && input.config === undefined && input.source === undefined) return { placement: current, changed: false };
    const source = this.sourceOf(input, fields, { valueRequired: current.secretSource === 'EXTERNAL' || input.source === 'MANAGED' });
    if (source === 'EXTERNAL') return { placement: await this.checkExternal(input.config!, fields, where), changed: true };
    if (input.value === undefined) return { placement: current, changed: false };
    if (current.secretSource === 'MANAGED') {
      await this.putManaged(current, input.value);
      return { placement: current, changed: true };
    }
    const created = await this.createManaged(current.kind, current.name, input.value, current.tags);
    return { placement: created, created, changed: true };
  }

  async createManaged(kind: ProviderKind, name: string, value: string, tags: Record<string, string>): Promise<SecretPlacement> {
    const jsonKey = MANAGED_JSON_KEY[kind];
    // A random suffix: a provider deleted and recreated at once never collides with its old secret.
    const secretName = `${this.settings.managedSecretPrefix}${kind}/${name}-${randomBytes(4).toString('hex')}`;
    const secretArn = await this.secrets.createManaged({
      name: secretName,
      value: JSON.stringify({ [jsonKey]: value }),
      tags: { ...tags, 'agentcore-identity:credential-provider': `${kind}/${name}` },
      description: `Credential of the ${kind === 'apikey' ? 'API key' : 'OAuth2'} credential provider ${name}`,
    });
    return { secretSource: 'MANAGED', secretArn, jsonKey };
  }

  async putManaged(placement: SecretPlacement, value: string): Promise<void> {
    await this.secrets.putManaged(placement.secretArn, JSON.stringify({ [placement.jsonKey]: value }));
  }

  /** Removes the service's own secret; a customer's secret is never touched. */
  async retire(placement: SecretPlacement): Promise<void> {
    if (placement.secretSource === 'MANAGED') await this.secrets.deleteManaged(placement.secretArn);
  }

  /**
   * The credential for a vend. Served from the container's cache unless the provider's secret
   * generation moved past the one cached (a rotation event or an update, anywhere), or the
   * cached value is older than the max age (the bound when an event is lost).
   */
  async credential(record: CredentialProviderRecord): Promise<string | { problem: 'missing-key' | 'not-json' | 'not-a-string' | 'unavailable' }> {
    const key = `${record.kind}/${record.name}/${record.secretArn}`;
    const seen = this.generations.get(key);
    const forceFetch = seen !== undefined && seen < record.secretGeneration;
    let raw: string;
    try {
      raw = await this.secrets.readCached(record.secretArn, { maxAgeSeconds: this.settings.maxAgeSeconds, forceFetch });
    } catch (error) {
      if (error instanceof SecretUnavailable) return { problem: 'unavailable' };
      throw error;
    }
    if (seen === undefined || seen < record.secretGeneration) this.generations.set(key, record.secretGeneration);
    const found = valueAtJsonKey(raw, record.jsonKey);
    return 'value' in found ? found.value : found;
  }
}
