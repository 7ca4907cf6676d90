import { createHash } from 'node:crypto';
import type { Page } from '../pagination.js';
import type { Envelope } from './envelope.js';

/**
 * A workload as the vault knows it: its name and creation time, so that a workload deleted and
 * created again under the same name starts with an empty vault, not with its predecessor's tokens.
 */
export function workloadIncarnation(name: string, createdTime: number): string {
  return `${name}@${createdTime}`;
}

/** The workload name of an incarnation (`<name>@<createdTime>`). */
export function workloadNameOf(incarnation: string): string {
  return incarnation.slice(0, incarnation.lastIndexOf('@'));
}

/** The vault's key for a binding: one workload (incarnation), one user, one provider (incarnation, `oauth2/<name>@<createdTime>`). */
export interface BindingKey {
  workload: string;
  user: string;
  provider: string;
}

/** A provider incarnation's creation time, from its reference; undefined for the name-only references of old bindings. */
export function providerCreatedTimeOf(provider: string): number | undefined {
  const match = /@(\d+)$/.exec(provider);
  return match ? Number(match[1]) : undefined;
}

/** The provider name of a reference (`oauth2/<name>@<createdTime>`, or `oauth2/<name>` before incarnations). */
export function providerNameOf(provider: string): string {
  return provider.replace(/^oauth2\//, '').replace(/@\d+$/, '');
}

/** The AWS KMS encryption context of a binding, and its AES-GCM additional data. */
export function encryptionContext(key: BindingKey): Record<string, string> {
  return { workload: key.workload, user: key.user, provider: key.provider };
}

/**
 * Where a binding is stored: one slot per workload incarnation, user and provider *name*, so that
 * a vend reads it in the same round trip as the provider's record (whose creation time it cannot
 * know beforehand). The item says which provider incarnation filled the slot; a reader ignores
 * one filled by another incarnation, and a consent of an older incarnation never overwrites a
 * newer one's. Old bindings (name-only provider) have the same slot, and are ignored the same way.
 */
export function bindingId(key: BindingKey): string {
  return createHash('sha256').update(JSON.stringify([key.workload, key.user, key.provider.replace(/@\d+$/, '')])).digest('base64url');
}

/** A binding as stored: the tokens are inside the envelope, never beside it. */
export interface VaultBinding extends BindingKey {
  id: string;
  /** The provider incarnation's creation time (absent on bindings written before incarnations). */
  providerCreatedTime?: number;
  envelope: Envelope;
  /** Scopes the user granted. */
  scopes: string[];
  /** When the access token expires (epoch ms); undefined when the vendor gave no lifetime. */
  expiresAt?: number;
  hasRefreshToken: boolean;
  version: number;
  /**
   * Set while one request refreshes: until that request's own function deadline (plus clock skew),
   * so the lock outlives every upstream call and write it guards. Others wait for the outcome.
   */
  refreshLockUntil?: number;
  /**
   * Refreshes started with the stored refresh token whose outcome is unknown (timed out, or the
   * request died holding the lock). Counted when the lock is taken, taken back on a definite answer.
   */
  refreshAttempts?: number;
  /** A failed refresh, remembered until `refreshFailedUntil` so waiting and retrying vends share it. */
  refreshFailure?: string;
  refreshFailedUntil?: number;
  updatedAt: number;
}

/** What the envelope holds. */
export interface VaultTokens {
  accessToken: string;
  refreshToken?: string;
  tokenType?: string;
  extras?: Record<string, string>;
}

/**
 * What a list of a user's bindings reads (the `byUser` index projects only this): where the
 * binding sits and its state, never the envelope.
 */
export type BindingSummary = Pick<VaultBinding, 'id' | 'workload' | 'user' | 'provider' | 'scopes' | 'hasRefreshToken' | 'updatedAt'> &
  Partial<Pick<VaultBinding, 'providerCreatedTime' | 'expiresAt' | 'refreshFailure'>>;

export interface VaultSettings {
  keyType: 'ServiceManagedKey' | 'CustomerManagedKey';
  kmsKeyArn?: string;
  lastModifiedDate: number;
}

export interface TokenVaultStore {
  get(id: string): Promise<VaultBinding | undefined>;
  /**
   * Writes a binding if its stored version is still `version` (0: must not exist yet); with
   * `replace`, over whatever the slot holds unless a newer provider incarnation filled it.
   */
  put(binding: VaultBinding, expected: { version?: number; replace?: boolean }): Promise<boolean>;
  /** Deletes a binding; with `version`, only if it is still that version. */
  delete(id: string, version?: number): Promise<void>;
  /**
   * Takes the refresh lock on `version` if nobody holds it and no failure is remembered, counting
   * one more attempt of unknown outcome; the binding as locked, or undefined when that failed.
   */
  lockForRefresh(id: string, version: number, until: number, now: number): Promise<VaultBinding | undefined>;
  /** Releases the lock on `version`, remembering a failure until `failedUntil` and setting the attempt count. */
  releaseRefresh(id: string, version: number, outcome: { failure?: string; failedUntil?: number; attempts: number }): Promise<boolean>;
  /** Every binding of a provider incarnation (`oauth2/<name>@<createdTime>`; `oauth2/<name>` before incarnations). */
  deleteByProvider(provider: string): Promise<number>;
  /** Every binding of a workload incarnation (`<name>@<createdTime>`). */
  deleteByWorkload(workload: string): Promise<number>;
  /**
   * One page of a user's bindings (userKey form), in the order of their workload incarnation;
   * with `workloadName`, only that workload's incarnations. `cursor` is the `lastKey` of the page
   * before: opaque, and not sealed here (callers hand out their own sealed tokens).
   */
  listByUser(user: string, options: { cursor?: string; limit: number; workloadName?: string }): Promise<Page<BindingSummary>>;
  settings(): Promise<VaultSettings | undefined>;
  saveSettings(settings: VaultSettings): Promise<void>;
}
