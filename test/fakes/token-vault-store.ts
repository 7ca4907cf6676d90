import type { Page } from '../../lib/pagination.js';
import type { BindingSummary, TokenVaultStore, VaultBinding, VaultSettings } from '../../lib/token-vault/store.js';

/**
 * TokenVaultStore in memory, with the DynamoDB adapter's conditions: puts conditional on version
 * or provider incarnation, the refresh lock taken only on the version read when neither a lock nor
 * a failure is current. Each call is atomic (one synchronous step), as one conditional write is.
 */
export class InMemoryTokenVaultStore implements TokenVaultStore {
  private readonly bindings = new Map<string, VaultBinding>();
  private vaultSettings?: VaultSettings;
  /** How many refresh locks were granted: what a single-flight test counts. */
  locksGranted = 0;

  async get(id: string): Promise<VaultBinding | undefined> {
    const binding = this.bindings.get(id);
    return binding && structuredClone(binding);
  }

  async put(binding: VaultBinding, expected: { version?: number; replace?: boolean }): Promise<boolean> {
    const stored = this.bindings.get(binding.id);
    const allowed = expected.replace
      ? !stored || stored.providerCreatedTime === undefined || stored.providerCreatedTime <= (binding.providerCreatedTime ?? 0)
      : expected.version === undefined || expected.version === 0
        ? !stored
        : stored?.version === expected.version;
    if (allowed) this.bindings.set(binding.id, structuredClone(binding));
    return allowed;
  }

  async delete(id: string, version?: number): Promise<void> {
    if (version === undefined || this.bindings.get(id)?.version === version) this.bindings.delete(id);
  }

  async lockForRefresh(id: string, version: number, until: number, now: number): Promise<VaultBinding | undefined> {
    const stored = this.bindings.get(id);
    if (!stored || stored.version !== version) return undefined;
    if (stored.refreshLockUntil !== undefined && stored.refreshLockUntil >= now) return undefined;
    if (stored.refreshFailedUntil !== undefined && stored.refreshFailedUntil >= now) return undefined;
    const { refreshFailure: _failure, refreshFailedUntil: _until, ...rest } = stored;
    const locked: VaultBinding = { ...rest, refreshLockUntil: until, refreshAttempts: (stored.refreshAttempts ?? 0) + 1 };
    this.bindings.set(id, locked);
    this.locksGranted += 1;
    return structuredClone(locked);
  }

  async releaseRefresh(id: string, version: number, outcome: { failure?: string; failedUntil?: number; attempts: number }): Promise<boolean> {
    const stored = this.bindings.get(id);
    if (!stored || stored.version !== version) return false;
    const { refreshFailure: _failure, refreshFailedUntil: _until, ...rest } = stored;
    const remember = outcome.failure !== undefined && outcome.failedUntil !== undefined;
    this.bindings.set(id, {
      ...rest,
      refreshLockUntil: 0,
      refreshAttempts: Math.max(0, outcome.attempts),
      ...(remember ? { refreshFailure: outcome.failure, refreshFailedUntil: outcome.failedUntil } : {}),
    });
    return true;
  }

  async deleteByProvider(provider: string): Promise<number> {
    return this.deleteWhere((binding) => binding.provider === provider);
  }

  async deleteByWorkload(workload: string): Promise<number> {
    return this.deleteWhere((binding) => binding.workload === workload);
  }

  /** As the `byUser` index: ordered by workload incarnation (then id), only the projected attributes, pages of `limit`. */
  async listByUser(user: string, options: { cursor?: string; limit: number; workloadName?: string }): Promise<Page<BindingSummary>> {
    const after = options.cursor === undefined ? undefined : (JSON.parse(options.cursor) as { workload: string; pk: string });
    const order = (b: { workload: string; id: string }) => `${b.workload}\u0000${b.id}`;
    const listed = [...this.bindings.values()]
      .filter((b) => b.user === user && (options.workloadName === undefined || b.workload.startsWith(`${options.workloadName}@`)))
      .sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))
      .filter((b) => !after || order(b) > order({ workload: after.workload, id: after.pk }));
    const items = listed.slice(0, options.limit).map(summaryOf);
    const last = items.length === options.limit ? items.at(-1) : undefined;
    return { items, ...(last ? { lastKey: JSON.stringify({ pk: last.id, user, workload: last.workload }) } : {}) };
  }

  async settings(): Promise<VaultSettings | undefined> {
    return this.vaultSettings && { ...this.vaultSettings };
  }

  async saveSettings(settings: VaultSettings): Promise<void> {
    this.vaultSettings = { ...settings };
  }

  private deleteWhere(match: (binding: VaultBinding) => boolean): number {
    let deleted = 0;
    for (const [id, binding] of this.bindings) if (match(binding) && this.bindings.delete(id)) deleted += 1;
    return deleted;
  }
}

/** What the `byUser` index projects (infra/tables.yml). */
function summaryOf(binding: VaultBinding): BindingSummary {
  const { id, workload, user, provider, providerCreatedTime, scopes, expiresAt, hasRefreshToken, refreshFailure, updatedAt } = binding;
  const optional = { providerCreatedTime, expiresAt, refreshFailure };
  const present = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
  return structuredClone({ id, workload, user, provider, scopes, hasRefreshToken, updatedAt, ...present });
}
