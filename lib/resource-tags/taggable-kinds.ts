import type { ConsentPortalOperations } from '../consent-portals/consent-portals.js';
import type { ProviderSecrets } from '../credential-providers/provider-secrets.js';
import type { CredentialProviderStore, ProviderKind } from '../credential-providers/store.js';
import { logger } from '../logger.js';
import type { WorkloadIdentityStore } from '../workload-identities/store.js';
import type { TaggableKind, TaggableKinds } from './resource-tags.js';

/** Enough for every tagger racing on one provider to converge; each call syncs the secret itself. */
const RETAG_ATTEMPTS = 5;

export function workloadIdentityTags(store: WorkloadIdentityStore): TaggableKind {
  return {
    label: 'Workload identity',
    read: (name) => store.get(name),
    write: (name, tags, expectedVersion) => store.updateTags(name, tags, expectedVersion),
  };
}

/**
 * A credential provider's tags, and those of its managed secret. The record is written first
 * and decides the answer (ListTagsForResource reads it); the secret follows. A failure in between
 * leaves the secret behind the record and fails the call, whose retry (a no-op on the record)
 * completes the secret. Taggers of one provider can interleave their secret writes, so each looks
 * at the record again after writing and writes again when it moved: the last write of all is
 * then of the latest record's tags.
 */
export function credentialProviderTags(kind: ProviderKind, label: string, store: CredentialProviderStore, secrets: ProviderSecrets): TaggableKind {
  return {
    label,
    read: (name) => store.get({ kind, name }),
    write: (name, tags, expectedVersion) => store.updateTags({ kind, name }, tags, expectedVersion),
    async propagate(name) {
      for (let attempt = 0; attempt < RETAG_ATTEMPTS; attempt++) {
        const record = await store.get({ kind, name });
        if (!record || record.secretSource !== 'MANAGED') return;
        await secrets.retag(record);
        if ((await store.get({ kind, name }))?.version === record.version) return;
      }
      logger.warn('managed secret tags left to the concurrent tag calls', { kind });
    },
  };
}

/** A consent portal's tags, which also say what it connects: written only when they still hold (consent-portals.ts). */
export function consentPortalTags(portals: Pick<ConsentPortalOperations, 'readTags' | 'writeTags'>): TaggableKind {
  return { label: 'Consent portal', read: (id) => portals.readTags(id), write: (id, tags, expectedVersion) => portals.writeTags(id, tags, expectedVersion) };
}

export function taggableKinds(deps: { identities: WorkloadIdentityStore; providers: CredentialProviderStore; secrets: ProviderSecrets; portals?: Pick<ConsentPortalOperations, 'readTags' | 'writeTags'> }): TaggableKinds {
  return {
    ...(deps.portals ? { 'consent-portal': consentPortalTags(deps.portals) } : {}),
    'workload-identity': workloadIdentityTags(deps.identities),
    'apikey-credential-provider': credentialProviderTags('apikey', 'API key credential provider', deps.providers, deps.secrets),
    'oauth2-credential-provider': credentialProviderTags('oauth2', 'OAuth2 credential provider', deps.providers, deps.secrets),
  };
}
