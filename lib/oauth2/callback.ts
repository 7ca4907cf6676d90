import { readableClient, settingsOf } from '../credential-providers/oauth2-providers.js';
import type { ProviderSecrets } from '../credential-providers/provider-secrets.js';
import { audit } from '../audit.js';
import { logger } from '../logger.js';
import type { TokenVault } from '../token-vault/vault.js';
import type { VendingLookup } from '../vending/lookup.js';
import { bindingKeyOf, pendingContext, sessionStillCurrent } from './bindings.js';
import type { AssertionSigner } from './client-assertion.js';
import { SESSION_URI_PREFIX, type ConsentSecrets } from './consent.js';
import { SigningKeyUnusable } from './kms-signer.js';
import type { ConsentSession, SessionStore } from './sessions.js';
import { requestToken } from './token-endpoint.js';
import { isTokenError } from './token-response.js';
import { vendorOf } from './vendors.js';
import type { NormalizedToken } from './vendor-types.js';
import { isRetryableUpstream, upstreamError } from './upstream-errors.js';
import { httpStatusOf } from '../errors.js';
import { plausibleErrorCode } from '../outbound/redact.js';

export interface CallbackDependencies {
  sessions: SessionStore;
  consent: ConsentSecrets;
  /** The registry read without any freshness window: a deletion must be seen at once. */
  registry: VendingLookup;
  secrets: ProviderSecrets;
  /** KMS Sign for PRIVATE_KEY_JWT providers' client assertions. */
  sign: AssertionSigner;
  vault: TokenVault;
  now?: () => number;
}

export interface CallbackResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

function page(statusCode: number, title: string, text: string): CallbackResult {
  const escape = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'",
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      // Browsers show the page; API clients and monitors read the error type, as on every other route.
      ...(statusCode >= 400 ? { 'x-amzn-errortype': statusCode >= 500 ? 'InternalServerException' : 'ValidationException' } : {}),
    },
    body: `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`,
  };
}

/**
 * The 3-legged callback: the browser lands here from the authorization server. It trusts only its
 * own state: a state that is forged, unknown, expired or already used gets a plain page and no
 * redirect. Otherwise the code is exchanged (with the PKCE verifier, checking `iss` when the server
 * sends it), and the tokens either go to the vault or, when the flow has a return URL, wait in the
 * session until the application confirms the user with CompleteResourceTokenAuth.
 */
export function oauth2Callback(deps: CallbackDependencies) {
  const now = deps.now ?? Date.now;
  const invalid = () => page(400, 'This sign-in link is not valid', 'It is unknown, expired or was already used. Start again from the application.');

  return async (query: Record<string, string | undefined>, requestId: string): Promise<CallbackResult> => {
    const verified = query.state ? await deps.consent.verifyState(query.state) : undefined;
    if (!verified) return invalid();
    const session = await deps.sessions.get(verified.sessionId);
    if (!session || session.kid !== verified.kid || session.expiresAt * 1000 < now()) return invalid();
    // Claim the session before anything else: a replayed or concurrent callback loses here.
    if (!(await deps.sessions.transition(session.id, ['IN_PROGRESS'], 'EXCHANGING'))) return invalid();
    const outcome: Outcome = {
      requestId,
      fail: async (reason, title, text, statusCode = 400) => {
        await deps.sessions.transition(session.id, ['EXCHANGING'], 'FAILED', { failure: reason });
        audit({ operation: 'OAuth2Callback', requestId, workload: session.workload, user: session.user, provider: session.providerName, outcome: 'refused', errorType: reason });
        return page(statusCode, title, text);
      },
    };
    try {
      return await exchange(deps, session, query, outcome);
    } catch (error) {
      // Claimed and then broken: the session fails now rather than sitting EXCHANGING until its TTL.
      await deps.sessions.transition(session.id, ['EXCHANGING'], 'FAILED', { failure: 'internal_error' }).catch(() => false);
      audit({ operation: 'OAuth2Callback', requestId, workload: session.workload, user: session.user, provider: session.providerName, outcome: 'error', errorType: 'InternalServerException' });
      throw error;
    }
  };
}

/** How a claimed callback ends when it does not complete: the session fails, the browser gets a page. */
interface Outcome {
  requestId: string;
  fail: (reason: string, title: string, text: string, statusCode?: number) => Promise<CallbackResult>;
}

function gone(outcome: Outcome, reason: string): Promise<CallbackResult> {
  return outcome.fail(reason, 'This sign-in can no longer complete', reason === 'workload_deleted' ? 'The workload identity was deleted.' : 'The credential provider was deleted.');
}

/** Trades the code for tokens with the provider as this consent started with it. */
async function exchange(deps: CallbackDependencies, session: ConsentSession, query: Record<string, string | undefined>, outcome: Outcome): Promise<CallbackResult> {
  const { fail } = outcome;
  if (query.error) {
    // Whatever the browser brought is stored, audited and shown only as a plausible error code.
    const code = plausibleErrorCode(query.error) ?? 'unrecognized_error';
    return fail(code, 'Authorization was not granted', `The provider answered: ${code}. Nothing was stored.`);
  }
  // The provider and workload as this consent started: one deleted (and perhaps created again
  // under its name, with another client) gets nothing from a consent begun for its predecessor.
  const live = await deps.registry.lookup(session.workload, { kind: 'oauth2', name: session.providerName });
  if (live.workloadCreatedTime !== session.workloadCreatedTime) return gone(outcome, 'workload_deleted');
  const record = live.provider;
  if (!record || record.createdTime !== session.providerCreatedTime) return gone(outcome, 'provider_deleted');
  const settings = settingsOf(record);
  if (query.iss !== undefined && settings.server.issuer && query.iss !== settings.server.issuer) {
    return fail('issuer_mismatch', 'This sign-in was refused', 'The response came from an authorization server other than the one this sign-in started with.');
  }
  if (!query.code) return fail('missing_code', 'This sign-in was refused', 'The authorization server sent no code.');
  const codeVerifier = await deps.consent.codeVerifier(session.id, session.kid);
  const client = await readableClient(record, { secrets: deps.secrets, sign: deps.sign, now: deps.now ?? Date.now });
  if (!client) return fail('client_secret_unavailable', 'This sign-in cannot complete', 'The client secret of the credential provider cannot be read.');
  const grant = { grant_type: 'authorization_code', code: query.code, redirect_uri: session.callbackUrl, code_verifier: codeVerifier };
  const result = await requestToken(vendorOf(settings.vendor), settings.server, client, grant).catch((error: unknown) => {
    if (error instanceof SigningKeyUnusable) return undefined;
    throw error;
  });
  if (!result) return fail('signing_key_unavailable', 'This sign-in cannot complete', 'The signing key of the credential provider cannot be used.');
  if (!isTokenError(result)) return deliver(deps, session, result, outcome);
  // The code is single-use and may have been spent upstream, so even a failure of the
  // provider's server ends this sign-in; its status says whose failure it was (502/504).
  if (isRetryableUpstream(result)) {
    const status = httpStatusOf(upstreamError(session.providerName, result));
    return fail(result.error, 'The provider could not complete the sign-in', 'Its server did not answer usably. Start again from the application in a moment.', status >= 500 ? status : 400);
  }
  return fail(result.error, 'The authorization could not be completed', `The provider refused the code: ${result.error}.`);
}

/** Where the tokens go: held in the session for CompleteResourceTokenAuth, or into the vault. */
async function deliver(deps: CallbackDependencies, session: ConsentSession, result: NormalizedToken, outcome: Outcome): Promise<CallbackResult> {
  const tokens = { accessToken: result.accessToken, refreshToken: result.refreshToken, tokenType: result.tokenType, extras: result.extras };
  // The binding covers what the user was asked to consent to; servers differ in what they echo back.
  const meta = { scopes: session.scopes, expiresAt: result.expiresAt };
  if (session.returnUrl) {
    const envelope = await deps.vault.seal(pendingContext(session), tokens);
    await deps.sessions.transition(session.id, ['EXCHANGING'], 'AWAITING_USER', { pending: { envelope, ...meta, hasRefreshToken: tokens.refreshToken !== undefined } });
    const target = new URL(session.returnUrl);
    target.searchParams.set('session_id', `${SESSION_URI_PREFIX}${session.id}`);
    if (session.customState) target.searchParams.set('state', session.customState);
    logger.info('consent received, awaiting user confirmation', { provider: session.providerName, workload: session.workload });
    return { statusCode: 302, headers: { location: target.toString(), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }, body: '' };
  }
  const written = await deps.vault.write(bindingKeyOf(session), tokens, meta);
  // Deleted during the exchange: what was just written goes too (no new incarnation reads it anyway).
  const still = await sessionStillCurrent(deps.registry, session);
  if (!written || still !== 'current') {
    if (written) await deps.vault.discard(written);
    return gone(outcome, still === 'current' ? 'provider_deleted' : still);
  }
  await deps.sessions.transition(session.id, ['EXCHANGING'], 'COMPLETED');
  audit({ operation: 'OAuth2Callback', requestId: outcome.requestId, workload: session.workload, user: session.user, provider: session.providerName, outcome: 'success' });
  return page(200, 'Authorization complete', 'You can close this window and return to the application.');
}
