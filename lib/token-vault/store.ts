import { createHash } from 'node:crypto';
import type { Envelope } from './envelope.js';

/**
 * A workload as the vault knows it: its name and creation time, so that a workload deleted and
 * created again under the same name starts with an empty vault, not with its predecessor's tokens.
 */
export function workloadIncarnation(name: string, createdTime: number): string {
  return `${name}@${createdTime}`;
}

/** The vault's key for a binding: one workload (incarnation), one user, one provider. */
export interface BindingKey {
  workload: string;
  user: string;
  provider: string;
}

/** The AWS KMS encryption context of a binding, and its AES-GCM additional data. */
export function encryptionContext(key: BindingKey): Record<string, string> {
  return { workload: key.workload, user: key.user, provider: key.provider };
}

export function bindingId(key: BindingKey): string {
  return createHash('sha256').update(JSON.stringify([key.workload, key.user, key.provider])).digest('base64url');
}

/** A binding as stored: the tokens are inside the envelope, never beside it. */
export interface VaultBinding extends BindingKey {
  id: string;
  envelope: Envelope;
  /** Scopes the user granted. */
  scopes: string[];
  /** When the access token expires (epoch ms); undefined when the vendor gave no lifetime. */
  expiresAt?: number;
  hasRefreshToken: boolean;
  version: number;
  /** Set while one container refreshes; others wait for the version to move. */
  refreshLockUntil?: number;
  updatedAt: number;
}

/** What the envelope holds. */
export interface VaultTokens {
  accessToken: string;
  refreshToken?: string;
  tokenType?: string;
  extras?: Record<string, string>;
}

export interface VaultSettings {
  keyType: 'ServiceManagedKey' | 'CustomerManagedKey';
  kmsKeyArn?: string;
  lastModifiedDate: number;
}

export interface TokenVaultStore {
  get(id: string): Promise<VaultBinding | undefined>;
  /** Writes a binding if its stored version is still `expectedVersion` (0: must not exist yet, or any when `overwrite`). */
  put(binding: VaultBinding, expected: { version?: number; overwrite?: boolean }): Promise<boolean>;
  /** Deletes a binding; with `version`, only if it is still that version. */
  delete(id: string, version?: number): Promise<void>;
  /** Takes the refresh lock on `version` if nobody holds it; false when another container does. */
  lockForRefresh(id: string, version: number, until: number, now: number): Promise<boolean>;
  deleteByProvider(provider: string): Promise<number>;
  settings(): Promise<VaultSettings | undefined>;
  saveSettings(settings: VaultSettings): Promise<void>;
}
