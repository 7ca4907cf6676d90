import { logger } from '../logger.js';
import type { ManagedSecretSummary, SecretStore } from '../secrets/secret-store.js';
import { followRecord } from './provider-records.js';
import type { CredentialProviderStore, ProviderKey } from './store.js';

export interface SweepSettings {
  /** Only secrets under this prefix are ever considered: the service's own, never a customer's. */
  managedSecretPrefix: string;
  /** A secret younger than this is left alone: a create in flight has written it and not yet its record. */
  minAgeMs: number;
  /** Deletion is scheduled with this recovery window, not forced: a mistake can be restored. */
  recoveryWindowDays: number;
}

export const DEFAULT_SWEEP_SETTINGS = { minAgeMs: 60 * 60 * 1000, recoveryWindowDays: 7 } as const;

export interface SweepResult {
  examined: number;
  /** Named by no record and old enough: scheduled for deletion. */
  scheduled: number;
  /** Named by no record but younger than the minimum age. */
  young: number;
  /** Named by a record whose version did not hold AWSCURRENT (an interrupted update): promoted. */
  promoted: number;
  /** Left for the next run because the time budget ran out. */
  deferred: number;
  /** Skipped after an error (logged); the next run tries again. */
  failed: number;
}

/** `<prefix><kind>/<name>-<8 hex>`: the provider a managed secret was created for. */
function ownerOf(secretName: string, prefix: string): ProviderKey | undefined {
  const match = /^(apikey|oauth2)\/(.+)-[0-9a-f]{8}$/.exec(secretName.slice(prefix.length));
  return match ? { kind: match[1] as ProviderKey['kind'], name: match[2]! } : undefined;
}

/**
 * Removes what interrupted creates, updates and deletes leave behind: a managed secret that no
 * provider record names, once it is older than an hour. Every write path writes the secret
 * before the record that names it, and no path makes a record name an existing old managed
 * secret it did not already name, so a secret this deletes can never be one a create in flight
 * is about to name. It also finishes updates interrupted between commit and promotion: a record
 * whose version does not hold AWSCURRENT gets it.
 */
export function managedSecretSweep(deps: {
  secrets: SecretStore;
  providers: CredentialProviderStore;
  settings: SweepSettings;
  now?: () => number;
}) {
  const { secrets, providers, settings, now = Date.now } = deps;

  async function visit(secret: ManagedSecretSummary, result: SweepResult): Promise<void> {
    const owner = ownerOf(secret.name, settings.managedSecretPrefix);
    // The record, read strongly consistent, is the authority; the index is a safety net for a
    // secret whose name does not say its provider (its lag is covered by the age rule).
    const record = owner ? await providers.get(owner) : undefined;
    if (record?.secretArn === secret.arn) {
      const versionId = record.secretVersionId;
      if (versionId && !secret.versions[versionId]?.includes('AWSCURRENT')) {
        await followRecord(providers, (arn, id) => secrets.promoteManaged(arn, id), record, secret.arn, versionId);
        result.promoted++;
        logger.info('managed secret version promoted to its record', { secretArn: secret.arn });
      }
      return;
    }
    if ((await providers.findBySecretArn(secret.arn)).length > 0) return;
    const created = secret.createdDate?.getTime();
    if (created === undefined || now() - created < settings.minAgeMs) {
      result.young++;
      return;
    }
    await secrets.scheduleManagedDeletion(secret.arn, settings.recoveryWindowDays);
    result.scheduled++;
    logger.info('orphan managed secret scheduled for deletion', { secretArn: secret.arn, recoveryWindowDays: settings.recoveryWindowDays });
  }

  return async (options: { timeLeftMs?: () => number } = {}): Promise<SweepResult> => {
    const listed = await secrets.listManaged(settings.managedSecretPrefix);
    const result: SweepResult = { examined: 0, scheduled: 0, young: 0, promoted: 0, deferred: 0, failed: 0 };
    for (const secret of listed) {
      // Stop while there is time to answer; the next run carries on.
      if (options.timeLeftMs && options.timeLeftMs() < 5_000) {
        result.deferred = listed.length - result.examined;
        break;
      }
      result.examined++;
      try {
        await visit(secret, result);
      } catch (error) {
        // One secret's trouble (throttling, a record naming a version that is gone) never stops the rest.
        result.failed++;
        logger.warn('managed secret sweep skipped a secret', { secretArn: secret.arn, errorName: (error as Error)?.name });
      }
    }
    logger.info('managed secret sweep done', { ...result });
    return result;
  };
}
