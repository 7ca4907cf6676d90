import { randomUUID } from 'node:crypto';
import { ConflictException, InternalServerException } from '../errors.js';
import { logger } from '../logger.js';
import type { PageTokens } from '../pagination.js';
import type { ProviderSecrets, SecretChange, SecretPlacement } from './provider-secrets.js';
import type { OAuth2Settings } from './oauth2-providers.js';
import { RetriedWriteRefused, type CredentialProviderRecord, type CredentialProviderStore, type KindFields, type ProviderKey, type ProviderKind } from './store.js';

const KIND_LABEL: Record<ProviderKind, string> = { apikey: 'API key', oauth2: 'OAuth2' };
/** Enough for every promoter racing one record to converge; the sweep repairs what is left. */
const PROMOTE_ATTEMPTS = 5;

/**
 * Makes AWSCURRENT follow the record, for readers that do not name a version (the console, the
 * rotation event rule): after a commit, and from the sweep. Promoters of one record can
 * interleave, so each looks at the record again after moving the stage and moves it on to what
 * the record names; the last move of all is then always to the version the record names.
 * False when it gave up (the sweep tries again); true when done or the record moved elsewhere.
 */
export async function followRecord(
  store: Pick<CredentialProviderStore, 'get'>,
  promote: (secretArn: string, versionId: string) => Promise<boolean>,
  key: ProviderKey,
  secretArn: string,
  versionId: string,
): Promise<boolean> {
  let target = versionId;
  for (let attempt = 0; attempt < PROMOTE_ATTEMPTS; attempt++) {
    const promoted = await promote(secretArn, target);
    const latest = await store.get(key);
    if (!latest || latest.secretSource !== 'MANAGED' || latest.secretArn !== secretArn || !latest.secretVersionId) return true;
    if (promoted && latest.secretVersionId === target) return true;
    target = latest.secretVersionId;
  }
  return false;
}

/**
 * Record-keeping both kinds of provider share: creating, updating under a version, listing.
 *
 * The order of writes is what keeps a record and its managed secret consistent when a call is
 * interrupted anywhere or loses a race: the secret (or a new version of it, under a staging
 * label) is written first, then the record is committed under a condition, naming the exact
 * version; only then does AWSCURRENT move. A record therefore never names a secret or version
 * that does not exist, a loser's version is never named, and what an interruption leaves behind
 * is a secret no record names, which the sweep removes an hour later.
 */
export class ProviderRecords {
  constructor(
    private readonly store: CredentialProviderStore,
    private readonly secrets: ProviderSecrets,
    private readonly pageTokens: PageTokens,
    private readonly now: () => number,
  ) {}

  private async promote(key: ProviderKey, secretArn: string, versionId: string): Promise<void> {
    try {
      if (!(await followRecord(this.store, (arn, id) => this.secrets.promote(arn, id), key, secretArn, versionId))) logger.warn('secret version promotion left for the sweep', { secretArn });
    } catch (error) {
      // Committed all the same: vends read the version the record names. The sweep re-promotes.
      logger.warn('secret version promotion left for the sweep', { secretArn, errorName: (error as Error)?.name });
    }
  }

  /**
   * Commits a record write. True when it took effect, also when the SDK's retry of it was refused
   * because its own earlier attempt had landed (the record carries its writeId); false when it
   * lost the race for sure. When a retried write was refused and the record is someone else's
   * now, nobody knows whether ours was ever there (and vended): that is a retryable error, never
   * a conflict, and nothing is undone.
   */
  private async commit(write: () => Promise<boolean>, key: ProviderKey, writeId: string): Promise<boolean> {
    let refusedAfterRetry = false;
    try {
      if (await write()) return true;
    } catch (error) {
      if (!(error instanceof RetriedWriteRefused)) throw error;
      refusedAfterRetry = true;
    }
    if ((await this.store.get(key))?.writeId === writeId) return true;
    if (refusedAfterRetry) throw new InternalServerException('The outcome of the write is unknown (a retried request was refused); read the provider and retry if needed.');
    return false;
  }

  async create(fields: KindFields, name: string, placement: SecretPlacement, tags: Record<string, string>): Promise<CredentialProviderRecord> {
    const time = this.now();
    const record: CredentialProviderRecord = {
      ...fields,
      name,
      ...placement,
      tags,
      createdTime: time,
      lastUpdatedTime: time,
      writeId: randomUUID(),
      version: 1,
      secretGeneration: 0,
    };
    // An error here (not a refused condition) leaves the secret alone: the write may have landed.
    if (!(await this.commit(() => this.store.create(record), record, record.writeId!))) {
      if (placement.secretSource === 'MANAGED') await this.secrets.abandon({ created: placement });
      throw new ConflictException(`${KIND_LABEL[fields.kind]} credential provider ${name} already exists`);
    }
    return record;
  }

  /**
   * Commits the new record over `current` (same version), then promotes the secret version it
   * names and retires a managed secret it no longer uses. Only the loser of the race undoes
   * what it wrote; an error of unknown outcome undoes nothing.
   */
  async update(current: CredentialProviderRecord, change: SecretChange & { settings?: OAuth2Settings }): Promise<CredentialProviderRecord> {
    const record: CredentialProviderRecord = {
      ...current,
      ...change.placement,
      ...(current.kind === 'oauth2' && change.settings ? { settings: change.settings } : {}),
      lastUpdatedTime: this.now(),
      writeId: randomUUID(),
      version: current.version + 1,
      secretGeneration: current.secretGeneration + 1,
    };
    if (!(await this.commit(() => this.store.replace(record, current.version), record, record.writeId!))) {
      await this.secrets.abandon(change);
      throw new ConflictException(`${KIND_LABEL[current.kind]} credential provider ${current.name} was changed or deleted concurrently; retry`);
    }
    if (change.staged) await this.promote(record, change.staged.secretArn, change.staged.versionId);
    if (current.secretSource === 'MANAGED' && current.secretArn !== record.secretArn) await this.secrets.release(current);
    return record;
  }

  async list<T>(kind: ProviderKind, listName: string, input: { maxResults?: number; nextToken?: string }, item: (record: CredentialProviderRecord) => T) {
    const after = await this.pageTokens.decode(listName, input.nextToken);
    const page = await this.store.list(kind, input.maxResults ?? 10, after);
    return {
      credentialProviders: page.items.map(item),
      nextToken: page.lastKey === undefined ? undefined : await this.pageTokens.encode(listName, page.lastKey),
    };
  }
}
