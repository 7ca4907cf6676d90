import { audit } from '../audit.js';
import { AccessDeniedException, AgentCoreError } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import { logger } from '../logger.js';
import { portalUrl } from './consent-portals.js';
import type { portalConnections } from './connections.js';
import { checkIdp, type IdpCheckDependencies } from './idp-checks.js';
import { portalTargets } from './portal-tags.js';
import { connectionsPage, messagePage, pageHeaders, signInPage } from './pages.js';
import { SESSION_COOKIE, SESSION_SECONDS, setCookie, SIGN_IN_COOKIE, type PendingSignIn, type PortalCookies, type PortalSession } from './portal-cookies.js';
import { SignInRefused, type portalSignIn } from './sign-in.js';
import type { ConsentPortalRecord, ConsentPortalStore } from './store.js';
import { randomToken, sameToken } from '../web/tokens.js';

export interface PortalRequest {
  method: 'GET' | 'POST';
  /** What follows `/portals/{portalId}`: '', 'signin', 'callback', 'connected', 'signout', 'connect', 'disconnect'. */
  action: string;
  portalId: string;
  query: Record<string, string | undefined>;
  form: URLSearchParams;
  cookies: Map<string, string>;
  origin?: string;
  caller: CallerContext;
}

export interface PortalResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  cookies?: string[];
}

export interface PortalPageDependencies {
  store: Pick<ConsentPortalStore, 'get'>;
  idp: IdpCheckDependencies;
  cookies: PortalCookies;
  signIn: ReturnType<typeof portalSignIn>;
  connections: ReturnType<typeof portalConnections>;
}

/** Notices a redirect back to the page may name (by code: a link cannot make the page say anything else). */
const NOTICES: Record<string, string> = {
  connected: 'Connected.',
  revoked: 'Disconnected. The provider confirmed that the access was revoked.',
  'not-supported': 'Disconnected here. This provider offers no way to revoke access from here: remove it in your account settings at the provider.',
  failed: 'Disconnected here, but the provider could not be reached to revoke the access: remove it in your account settings at the provider.',
  'nothing-to-disconnect': 'There was nothing to disconnect.',
};

const html = (statusCode: number, body: string, extra: Partial<PortalResponse> = {}, formTargets: string[] = []): PortalResponse => ({ statusCode, headers: pageHeaders(formTargets), body, ...extra });
const redirect = (location: string, cookies?: string[]): PortalResponse => ({ statusCode: 303, headers: { ...pageHeaders(), location }, body: '', ...(cookies ? { cookies } : {}) });

/** The portal's pages and actions; every state-changing request carries the session's CSRF token (and a same-origin Origin, when the browser sends one). */
export function portalPages(deps: PortalPageDependencies) {
  return async (request: PortalRequest): Promise<PortalResponse> => {
    const found = await deps.store.get(request.portalId.slice(0, -11));
    const portal = found?.consentPortalId === request.portalId && found.status === 'ACTIVE' ? found : undefined;
    if (!portal) return html(404, messagePage('Not found', 'There is no consent portal at this address.'));
    const base = portalUrl(request.caller, portal.consentPortalId);
    const context = { request, portal, base, cookiePath: new URL(base).pathname, secure: base.startsWith('https:') };
    const session = await deps.cookies.open<PortalSession>('session', request.cookies.get(SESSION_COOKIE), portal.consentPortalId);
    if (request.method === 'GET' && request.action === 'signin') return beginSignIn(deps, context);
    if (request.method === 'GET' && request.action === 'callback') return finishSignIn(deps, context);
    if (request.method === 'GET' && request.action === '') return session ? showConnections(deps, context, session) : html(200, signInPage(portal.name, `${base}/signin`));
    if (!configured(portal)) return html(503, messagePage('This portal is not set up', 'Its connections are not configured yet. Try again later.'));
    if (!session) return html(401, messagePage('Your session has ended', 'Sign in again to continue.', { href: base, label: 'Sign in' }));
    if (request.method === 'GET' && request.action === 'connected') return connected(deps, context, session);
    if (request.method !== 'POST' || !['signout', 'connect', 'disconnect'].includes(request.action)) return html(404, messagePage('Not found', 'There is no such page.'));
    const origin = new URL(base).origin;
    // Under Referrer-Policy no-referrer a browser sends `Origin: null` (Fetch §3.2.5): the token decides then.
    const foreign = request.origin !== undefined && request.origin !== 'null' && request.origin !== origin;
    if (!sameToken(request.form.get('csrf') ?? undefined, session.csrf) || foreign) {
      logger.info('consent portal request refused', { portal: portal.consentPortalId, reason: 'csrf' });
      return html(403, messagePage('This request was refused', 'It did not come from this page. Go back to the portal and try again.', { href: base, label: 'Back to the portal' }));
    }
    if (request.action === 'signout') return redirect(base, [setCookie(SESSION_COOKIE, '', { path: context.cookiePath, secure: context.secure, maxAgeSeconds: 0 })]);
    return request.action === 'connect' ? connect(deps, context, session) : disconnect(deps, context, session);
  };
}

type Context = { request: PortalRequest; portal: ConsentPortalRecord; base: string; cookiePath: string; secure: boolean };

/** Whether the portal's tags still name a workload and providers (TagResource may have changed them since create). */
function configured(portal: ConsentPortalRecord): boolean {
  try {
    return portalTargets(portal.tags).providerNames.length > 0;
  } catch {
    return false;
  }
}

async function showConnections(deps: PortalPageDependencies, { request, portal, base }: Context, session: PortalSession): Promise<PortalResponse> {
  if (!configured(portal)) return html(503, messagePage('This portal is not set up', 'Its connections are not configured yet. Try again later.'));
  const connections = await deps.connections.list(portal, session.user);
  const notice = NOTICES[request.query.m ?? ''];
  // Connect posts here and is sent on to the provider's authorization server: the form may go there.
  const targets = connections.flatMap((c) => (c.authorizationOrigin ? [c.authorizationOrigin] : []));
  return html(200, connectionsPage({ portalName: portal.name, description: portal.description, user: session.user.subject, base, csrf: session.csrf, connections, notice }), {}, targets);
}

async function beginSignIn(deps: PortalPageDependencies, { request, portal, base, cookiePath, secure }: Context): Promise<PortalResponse> {
  const idp = await resolveIdp(deps, portal, request.caller);
  if (!idp) return html(503, messagePage('Sign-in is unavailable', 'The identity provider of this portal is not available. Try again later.'));
  const { location, pending } = deps.signIn.begin(portal, idp, `${base}/callback`);
  const cookie = setCookie(SIGN_IN_COOKIE, await deps.cookies.seal('sign-in', pending), { path: cookiePath, secure, maxAgeSeconds: pending.expiresAt - Math.floor(Date.now() / 1000) });
  return { statusCode: 302, headers: { ...pageHeaders(), location }, body: '', cookies: [cookie] };
}

async function finishSignIn(deps: PortalPageDependencies, { request, portal, base, cookiePath, secure }: Context): Promise<PortalResponse> {
  const pending = await deps.cookies.open<PendingSignIn>('sign-in', request.cookies.get(SIGN_IN_COOKIE), portal.consentPortalId);
  const clearSignIn = setCookie(SIGN_IN_COOKIE, '', { path: cookiePath, secure, maxAgeSeconds: 0 });
  const idp = await resolveIdp(deps, portal, request.caller);
  if (!idp) return html(503, messagePage('Sign-in is unavailable', 'The identity provider of this portal is not available. Try again later.'));
  let user: { issuer: string; subject: string };
  try {
    user = await deps.signIn.finish(idp, `${base}/callback`, request.query, pending);
  } catch (error) {
    if (!(error instanceof SignInRefused)) throw error;
    audit({ operation: 'ConsentPortalSignIn', requestId: request.caller.requestId, portal: portal.consentPortalId, outcome: 'refused', errorType: error.code });
    return html(400, messagePage('Sign-in did not complete', `The sign-in was refused (${error.code}).`, { href: base, label: 'Try again' }), { cookies: [clearSignIn] });
  }
  const session: PortalSession = { portal: portal.consentPortalId, user: { kind: 'jwt', ...user }, csrf: randomToken(), expiresAt: Math.floor(Date.now() / 1000) + SESSION_SECONDS };
  audit({ operation: 'ConsentPortalSignIn', requestId: request.caller.requestId, portal: portal.consentPortalId, user: session.user, outcome: 'success' });
  const cookie = setCookie(SESSION_COOKIE, await deps.cookies.seal('session', session), { path: cookiePath, secure, maxAgeSeconds: SESSION_SECONDS });
  return redirect(base, [clearSignIn, cookie]);
}

/** The portal's identity provider as it is now; undefined (logged) when it no longer passes the checks of create. */
async function resolveIdp(deps: PortalPageDependencies, portal: ConsentPortalRecord, caller: CallerContext) {
  try {
    return await checkIdp(portal.idpConfig, caller, deps.idp);
  } catch (error) {
    if (!(error instanceof AgentCoreError)) throw error;
    logger.warn('consent portal identity provider unusable', { portal: portal.consentPortalId, reason: error.message });
    return undefined;
  }
}

async function connect(deps: PortalPageDependencies, { request, portal, base }: Context, session: PortalSession): Promise<PortalResponse> {
  const provider = request.form.get('provider') ?? '';
  const location = await deps.connections.connect(portal, session.user, provider, `${base}/connected`, request.caller);
  if (!location) return html(404, messagePage('Not found', 'This portal lists no such connection.', { href: base, label: 'Back to the portal' }));
  return redirect(location);
}

async function connected(deps: PortalPageDependencies, { request, portal, base }: Context, session: PortalSession): Promise<PortalResponse> {
  try {
    await deps.connections.complete(portal, request.query.session_id ?? '', session.user, request.caller.requestId);
  } catch (error) {
    if (!(error instanceof AgentCoreError)) throw error;
    const text = error instanceof AccessDeniedException ? 'This connection was started by another user; nothing was stored.' : 'This connection could not be completed; nothing was stored. Start again from the portal.';
    return html(error instanceof AccessDeniedException ? 403 : 400, messagePage('The connection did not complete', text, { href: base, label: 'Back to the portal' }));
  }
  return redirect(`${base}?m=connected`);
}

async function disconnect(deps: PortalPageDependencies, { request, portal, base }: Context, session: PortalSession): Promise<PortalResponse> {
  const provider = request.form.get('provider') ?? '';
  const outcome = await deps.connections.disconnect(portal, session.user, provider);
  const fields = { operation: 'ConsentPortalDisconnect', requestId: request.caller.requestId, portal: portal.consentPortalId, user: session.user, provider };
  audit(outcome ? { ...fields, outcome: 'success', revocation: outcome } : { ...fields, outcome: 'refused', errorType: 'NothingToDisconnect' });
  return redirect(`${base}?m=${outcome ?? 'nothing-to-disconnect'}`);
}
