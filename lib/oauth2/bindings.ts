import { encryptionContext, workloadIncarnation, type BindingKey } from '../token-vault/store.js';
import { userKey } from '../workload-access-tokens/workload-access-token.js';
import type { ConsentSession } from './sessions.js';

/** How vault bindings and sessions name an OAuth2 provider (and find its entries on delete). */
export function providerRef(name: string): string {
  return `oauth2/${name}`;
}

/** The vault binding a consent session fills. */
export function bindingKeyOf(session: ConsentSession): BindingKey {
  return { workload: workloadIncarnation(session.workload, session.workloadCreatedTime), user: userKey(session.user), provider: providerRef(session.providerName) };
}

/** The context a session's held-back tokens are sealed under: the binding's, plus the session. */
export function pendingContext(session: ConsentSession): Record<string, string> {
  return { ...encryptionContext(bindingKeyOf(session)), session: session.id };
}
