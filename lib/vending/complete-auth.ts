import { audit } from '../audit.js';
import { AccessDeniedException, ResourceNotFoundException, ValidationException } from '../errors.js';
import type { Input } from '../contract/types.js';
import type { CallerContext } from '../http/caller-context.js';
import { bindingKeyOf, pendingContext, sessionStillCurrent } from '../oauth2/bindings.js';
import { SESSION_URI_PREFIX } from '../oauth2/consent.js';
import type { SessionStore } from '../oauth2/sessions.js';
import type { TokenVault } from '../token-vault/vault.js';
import type { UserTokenVerifier } from '../workload-access-tokens/user-tokens.js';
import { userKey, type UserRef } from '../workload-access-tokens/workload-access-token.js';
import type { VendingLookup } from './lookup.js';

/**
 * CompleteResourceTokenAuth — session binding: tokens of a consent started with a return URL are
 * released to the vault only when the application confirms that the user now at the return URL
 * is the user the workload access token was minted for. Another user is refused, gets nothing, and
 * the session fails: a consent link that reached the wrong person is never completed later.
 */
export function completeResourceTokenAuth(deps: ReleaseDependencies & { userTokens: UserTokenVerifier }) {
  return async (input: Input<'CompleteResourceTokenAuth'>, caller: CallerContext) => {
    const identify = async (): Promise<UserRef> => {
      if (!input.userIdentifier.userToken) return { kind: 'id', id: input.userIdentifier.userId! };
      const verified = await deps.userTokens.verify(input.userIdentifier.userToken);
      return { kind: 'jwt', issuer: verified.issuer, subject: verified.subject };
    };
    await releaseConsent(deps, input.sessionUri, identify, { operation: 'CompleteResourceTokenAuth', requestId: caller.requestId });
    return {};
  };
}

export interface ReleaseDependencies {
  sessions: SessionStore;
  vault: TokenVault;
  registry: VendingLookup;
}

/**
 * Releases a consent's held-back tokens to the vault for the user `identify` proves (a verified
 * user token, or a consent portal's signed-in user), who must be the user it was started for.
 * Audited under `who.operation`.
 */
export async function releaseConsent(deps: ReleaseDependencies, sessionUri: string, identify: () => Promise<UserRef>, who: { operation: string; requestId: string; portal?: string }): Promise<void> {
  const session = await deps.sessions.get(sessionUri.slice(SESSION_URI_PREFIX.length));
  if (!session || session.expiresAt * 1000 < Date.now()) throw new ResourceNotFoundException('No consent session with this sessionUri exists');
  if (session.status !== 'AWAITING_USER' || !session.pending) {
    throw new ValidationException(`The consent session is ${session.status === 'COMPLETED' ? 'already complete' : 'not waiting for user confirmation'}`, 'FieldValidationFailed', [
      { name: 'sessionUri', message: `session status is ${session.status}` },
    ]);
  }
  const user = await identify();
  const base = { ...who, workload: session.workload, provider: session.providerName };
  if (userKey(user) !== userKey(session.user)) {
    await deps.sessions.transition(session.id, ['AWAITING_USER'], 'FAILED', { pending: undefined, failure: 'user_mismatch' });
    audit({ ...base, user, outcome: 'refused', errorType: 'AccessDeniedException' });
    throw new AccessDeniedException('The user does not match the user this authorization was started for');
  }
  // Claim the session first, so two completions (or a newer consent) cannot both write.
  if (!(await deps.sessions.transition(session.id, ['AWAITING_USER'], 'COMPLETED', { pending: undefined }))) {
    throw new ValidationException('The consent session was completed concurrently');
  }
  const pending = session.pending;
  let written: Awaited<ReturnType<typeof deps.vault.write>>;
  try {
    const tokens = JSON.parse(await deps.vault.openSealed(pending.envelope, pendingContext(session)));
    written = await deps.vault.write(bindingKeyOf(session), tokens, { scopes: pending.scopes, expiresAt: pending.expiresAt });
  } catch (error) {
    // A KMS or DynamoDB failure after the claim must not lose the user's consent: the session
    // waits again with its tokens, and a retry of this call completes it.
    await deps.sessions.transition(session.id, ['COMPLETED'], 'AWAITING_USER', { pending }).catch(() => false);
    throw error;
  }
  // The provider or workload deleted (perhaps created again) while the tokens waited: they go.
  const still = await sessionStillCurrent(deps.registry, session);
  if (!written || still !== 'current') {
    if (written) await deps.vault.discard(written);
    audit({ ...base, user, outcome: 'refused', errorType: 'ResourceNotFoundException' });
    throw new ResourceNotFoundException(still === 'workload_deleted' ? `Workload identity ${session.workload} no longer exists` : `OAuth2 credential provider ${session.providerName} no longer exists`);
  }
  audit({ ...base, user, outcome: 'success' });
}
