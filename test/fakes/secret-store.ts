import { randomBytes } from 'node:crypto';
import { PENDING_STAGE, SecretUnavailable, type ManagedSecretSummary, type SecretStore } from '../../lib/secrets/secret-store.js';

interface StoredSecret {
  arn: string;
  name: string;
  versions: Map<string, { value: string; stages: string[] }>;
  deleted: boolean;
  tags?: Record<string, string>;
}

/**
 * Secrets Manager in memory, with versions and staging labels, plus the container's read cache
 * (max age on an injected clock; `forceFetch` bypasses it). `fetches` counts reads that reached
 * the store: what a cache or rotation-bound test counts.
 */
export class InMemorySecretStore implements SecretStore {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly cache = new Map<string, { value: string; at: number }>();
  fetches = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly where = { region: 'us-east-1', accountId: '123456789012' },
  ) {}

  /** A customer's secret (or any secret): AWSCURRENT holds `value`; returns its ARN. */
  put(name: string, value: string): string {
    const existing = this.secrets.get(name);
    if (existing) {
      this.rotate(existing.arn, value);
      return existing.arn;
    }
    const arn = `arn:aws:secretsmanager:${this.where.region}:${this.where.accountId}:secret:${name}-${randomBytes(3).toString('hex')}`;
    this.secrets.set(name, { arn, name, versions: new Map([[randomBytes(8).toString('hex'), { value, stages: ['AWSCURRENT'] }]]), deleted: false });
    return arn;
  }

  /** What a rotation does: a new version takes AWSCURRENT. */
  rotate(arn: string, value: string): void {
    const secret = this.byId(arn);
    for (const version of secret.versions.values()) version.stages = version.stages.filter((s) => s !== 'AWSCURRENT');
    secret.versions.set(randomBytes(8).toString('hex'), { value, stages: ['AWSCURRENT'] });
  }

  async createManaged(input: { name: string; value: string; tags: Record<string, string>; description: string; versionId: string }): Promise<string> {
    if (this.secrets.has(input.name)) throw new Error(`secret ${input.name} exists`);
    const arn = this.put(input.name, input.value);
    const secret = this.byId(arn);
    const [only] = secret.versions.values();
    secret.versions = new Map([[input.versionId, only!]]);
    secret.tags = { ...input.tags };
    return arn;
  }

  async setManagedTags(arn: string, tags: Record<string, string>): Promise<void> {
    this.byId(arn).tags = { ...tags };
  }

  /** The tags a managed secret carries. */
  tagsOf(arn: string): Record<string, string> | undefined {
    return this.byId(arn).tags;
  }

  async stageManaged(arn: string, value: string, versionId: string): Promise<void> {
    const secret = this.byId(arn);
    for (const version of secret.versions.values()) version.stages = version.stages.filter((s) => s !== PENDING_STAGE);
    secret.versions.set(versionId, { value, stages: [PENDING_STAGE] });
  }

  async promoteManaged(arn: string, versionId: string): Promise<boolean> {
    const secret = this.byId(arn);
    const target = secret.versions.get(versionId);
    if (!target) return false;
    for (const version of secret.versions.values()) version.stages = version.stages.filter((s) => s !== 'AWSCURRENT');
    target.stages = ['AWSCURRENT'];
    return true;
  }

  async unstageManaged(arn: string, versionId: string): Promise<void> {
    const version = this.byId(arn).versions.get(versionId);
    if (version) version.stages = version.stages.filter((s) => s !== PENDING_STAGE);
  }

  async deleteManaged(arn: string): Promise<void> {
    this.secrets.delete(this.byId(arn).name);
  }

  async scheduleManagedDeletion(arn: string): Promise<void> {
    this.byId(arn).deleted = true;
  }

  async listManaged(prefix: string): Promise<ManagedSecretSummary[]> {
    return [...this.secrets.values()]
      .filter((s) => s.name.startsWith(prefix) && !s.deleted)
      .map((s) => ({ arn: s.arn, name: s.name, versions: Object.fromEntries([...s.versions].map(([id, v]) => [id, [...v.stages]])) }));
  }

  async readNow(secretId: string): Promise<{ arn: string; value: string }> {
    const secret = this.byId(secretId);
    if (secret.deleted) throw new SecretUnavailable('deleted', secretId);
    this.fetches += 1;
    return { arn: secret.arn, value: this.current(secret) };
  }

  async readCached(arn: string, options: { maxAgeSeconds: number; forceFetch: boolean }): Promise<string> {
    return this.throughCache(arn, options.maxAgeSeconds, options.forceFetch, () => (this.fetches++, this.current(this.byId(arn))));
  }

  async readVersion(arn: string, versionId: string, options: { maxAgeSeconds: number }): Promise<string> {
    return this.throughCache(`${arn}#${versionId}`, options.maxAgeSeconds, false, () => {
      const version = this.byId(arn).versions.get(versionId);
      if (!version) throw new SecretUnavailable('not-found', arn);
      this.fetches += 1;
      return version.value;
    });
  }

  async resolveArn(secretId: string): Promise<string | undefined> {
    return this.find(secretId)?.arn;
  }

  private throughCache(key: string, maxAgeSeconds: number, forceFetch: boolean, fetch: () => string): string {
    const cached = this.cache.get(key);
    if (!forceFetch && cached && this.now() - cached.at < maxAgeSeconds * 1000) return cached.value;
    const value = fetch();
    this.cache.set(key, { value, at: this.now() });
    return value;
  }

  private current(secret: StoredSecret): string {
    for (const version of secret.versions.values()) if (version.stages.includes('AWSCURRENT')) return version.value;
    throw new SecretUnavailable('unreadable', secret.arn);
  }

  private find(secretId: string): StoredSecret | undefined {
    return [...this.secrets.values()].find((s) => s.name === secretId || s.arn === secretId);
  }

  private byId(secretId: string): StoredSecret {
    const secret = this.find(secretId);
    if (!secret) throw new SecretUnavailable('not-found', secretId);
    return secret;
  }
}
