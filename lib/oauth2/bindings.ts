import { encryptionContext, workloadIncarnation, type BindingKey } from '../token-vault/store.js';
import { userKey } from '../workload-access-tokens/workload-access-token.js';
import type { VendingLookup } from '../vending/lookup.js';
import type { ConsentSession } from './sessions.js';

/**
 * How vault bindings and sessions name an OAuth2 provider: its incarnation, name and creation
 * time. A provider deleted and created again under its name (another client, another server)
 * starts with an empty vault, whatever was in flight for its predecessor: a callback or a
 * refresh that finishes late writes under the old incarnation, which the new provider never reads.
 */
export function providerRef(name: string, createdTime: number): string {
  return `oauth2/${name}@${createdTime}`;
}

/** The name-only key bindings had before incarnations; still deleted with their provider. */
export function legacyProviderRef(name: string): string {
  return `oauth2/${name}`;
}

/** The vault binding a consent session fills. */
export function bindingKeyOf(session: ConsentSession): BindingKey {
  return {
    workload: workloadIncarnation(session.workload, session.workloadCreatedTime),
    user: userKey(session.user),
    provider: providerRef(session.providerName, session.providerCreatedTime),
  };
}

/** The context a session's held-back tokens are sealed under: the binding's, plus the session. */
export function pendingContext(session: ConsentSession): Record<string, string> {
  return { ...encryptionContext(bindingKeyOf(session)), session: session.id };
}

/**
 * Whether the workload and provider a session was opened for still exist as the same
 * incarnations. Read after a write as well as before it: a deletion that ran in between either
 * found what was written, or is seen here and the writer takes it back.
 */
export async function sessionStillCurrent(registry: VendingLookup, session: ConsentSession): Promise<'current' | 'provider_deleted' | 'workload_deleted'> {
  const live = await registry.lookup(session.workload, { kind: 'oauth2', name: session.providerName });
  if (live.workloadCreatedTime !== session.workloadCreatedTime) return 'workload_deleted';
  if (live.provider?.createdTime !== session.providerCreatedTime) return 'provider_deleted';
  return 'current';
}
