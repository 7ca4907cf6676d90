import { escapeHtml } from '../../web/html.js';
import type { ListUserConnectionsInput, RevocationOutcome, UserConnection, UserSelector } from '../../user-connections/client.js';
import { attempt, type Refusal } from '../api-errors.js';
import { field, formLevelErrors, placeErrors } from '../form-fields.js';
import { posted, when } from '../forms.js';
import { confirmPage, page, redirect, type ConsoleResponse, type Notice } from '../layout.js';
import { route, type Ctx } from '../router.js';

const AREA = '/user-connections';
const USER_FIELDS = ['userId', 'userIssuer', 'userSubject'] as const;

/** What each outcome means for the operator, in words (the same outcomes the portal's Disconnect reports). */
const OUTCOMES: Record<RevocationOutcome, Notice> = {
  REVOKED: { kind: 'ok', text: 'Revoked: the provider revoked the grant, and the token vault binding was deleted.' },
  NOT_SUPPORTED: { kind: 'info', text: 'Disconnected, not revoked: the provider offers no revocation, so the binding was deleted here but the grant may still be listed at the provider (the user can remove it there).' },
  FAILED: { kind: 'error', text: 'Revocation failed at the provider: the binding was deleted here, but the grant may stay valid at the provider until it expires.' },
};

/** The user the query names, only the members given: the service says which combinations are valid. */
function userOf(source: URLSearchParams): UserSelector {
  return Object.fromEntries(USER_FIELDS.map((k) => [k, (source.get(k) ?? '').trim()]).filter(([, v]) => v));
}

function lookupForm(query: URLSearchParams, refusal?: Refusal): string {
  const errors = placeErrors(refusal?.errors ?? {}, [...USER_FIELDS, 'workloadName']);
  const v = (k: string) => (query.get(k) ?? '').trim();
  return `<section class="card"><h2>Look up a user</h2><p class="lead">By the user id an agent gave GetWorkloadAccessTokenForUserId, or by the issuer and subject of the user's JWT (who signs in at a consent portal).</p>${formLevelErrors(errors, [...USER_FIELDS, 'workloadName'])}
<form method="get" action="${AREA}">${field({ name: 'userId', label: 'User id', value: v('userId') }, errors)}<p class="hint">or</p>${field({ name: 'userIssuer', label: 'Issuer (iss)', value: v('userIssuer'), type: 'url', placeholder: 'https://idp.example.com' }, errors)}${field({ name: 'userSubject', label: 'Subject (sub)', value: v('userSubject') }, errors)}${field({ name: 'workloadName', label: 'Only this workload identity (optional)', value: v('workloadName') }, errors)}<button type="submit">Look up</button></form></section>`;
}

/**
 * Where a revoke is confirmed and posted: the user, the binding (`workload`, `provider`) and the
 * lookup's workload filter (`workloadName`) ride in the query, so the page after it is the same list.
 */
function revokeHref(query: URLSearchParams, c: Pick<UserConnection, 'workloadName' | 'credentialProviderName'>): string {
  const q = lookupQuery(query);
  q.set('workload', c.workloadName);
  q.set('provider', c.credentialProviderName);
  return `${AREA}/revoke?${q}`;
}

/** The lookup the revoke came from: the user and the workload filter, nothing of the last outcome. */
function lookupQuery(query: URLSearchParams): URLSearchParams {
  return new URLSearchParams([...USER_FIELDS, 'workloadName'].map((k) => [k, posted(query, k)] as [string, string]).filter(([, v]) => v));
}

function connectionItem(ctx: Ctx, c: UserConnection): string {
  const state = c.status === 'CONNECTED' ? 'Connected' : 'Needs consent again';
  const expiry = c.expiresAt ? `, access token expires ${when(c.expiresAt)}` : '';
  return `<li data-workload="${escapeHtml(c.workloadName)}" data-provider="${escapeHtml(c.credentialProviderName)}" data-status="${escapeHtml(c.status)}"><span class="name">${escapeHtml(c.credentialProviderName)}</span><a class="button danger" href="${escapeHtml(revokeHref(ctx.query, c))}">Revoke…</a><span class="meta"><span class="status-${escapeHtml(c.status)}">${state}</span> since ${escapeHtml(when(c.connectedAt))}${escapeHtml(expiry)}${c.scopes.length ? ` · scopes <code>${escapeHtml(c.scopes.join(' '))}</code>` : ''}</span></li>`;
}

/** Bindings grouped by workload identity (the service sorts by workload, then provider). */
function grouped(ctx: Ctx, connections: UserConnection[]): string {
  const byWorkload = new Map<string, UserConnection[]>();
  for (const c of connections) byWorkload.set(c.workloadName, [...(byWorkload.get(c.workloadName) ?? []), c]);
  return [...byWorkload].map(([workload, items]) => `<h2>Workload identity <a href="/workload-identities/${encodeURIComponent(workload)}">${escapeHtml(workload)}</a></h2><ul class="items">${items.map((c) => connectionItem(ctx, c)).join('')}</ul>`).join('');
}

function nextLink(query: URLSearchParams, nextToken: string | undefined): string {
  if (!nextToken) return '';
  const next = new URLSearchParams([...query].filter(([k]) => k !== 'nextToken' && k !== 'outcome' && k !== 'revoked' && k !== 'workload'));
  next.set('nextToken', nextToken);
  return `<div class="pager actions"><a class="button secondary" href="${escapeHtml(`${AREA}?${next}`)}">Next page</a></div>`;
}

async function lookup(ctx: Ctx, refused?: Refusal): Promise<ConsoleResponse> {
  const user = userOf(ctx.query);
  const title = 'User connections';
  const intro = `<h1>${title}</h1>`;
  const said = OUTCOMES[ctx.query.get('outcome') as RevocationOutcome];
  const outcome = said && { ...said, text: `${ctx.query.get('revoked') ?? ''} for ${ctx.query.get('workload') ?? ''}: ${said.text}` };
  if (Object.keys(user).length === 0) return page(ctx.api.target, { title, area: AREA, body: intro + lookupForm(ctx.query, refused), notice: refused?.notice, status: refused?.status });
  const input: ListUserConnectionsInput = { ...user, maxResults: 50, ...(posted(ctx.query, 'workloadName') ? { workloadName: posted(ctx.query, 'workloadName') } : {}), ...(ctx.query.get('nextToken') ? { nextToken: ctx.query.get('nextToken')! } : {}) };
  const listed = await attempt(() => ctx.api.connections.listUserConnections(input), ctx.api.target.endpoint);
  if ('refused' in listed) return page(ctx.api.target, { title, area: AREA, body: intro + lookupForm(ctx.query, listed.refused), notice: listed.refused.notice, status: listed.refused.status });
  const who = user.userId ? `user id ${user.userId}` : `${user.userSubject ?? ''} at ${user.userIssuer ?? ''}`;
  const results = listed.ok.connections.length ? grouped(ctx, listed.ok.connections) : '<p class="lead">No connections: this user has granted no provider to any workload identity (or every grant was revoked).</p>';
  const body = `${intro}<p class="lead">Connections of <strong>${escapeHtml(who)}</strong></p>${results}${nextLink(ctx.query, listed.ok.nextToken)}${lookupForm(ctx.query)}`;
  return page(ctx.api.target, { title, area: AREA, body, notice: refused?.notice ?? outcome, status: refused?.status });
}

function confirmRevoke(ctx: Ctx): ConsoleResponse {
  const user = userOf(ctx.query);
  const workload = posted(ctx.query, 'workload');
  const provider = posted(ctx.query, 'provider');
  const who = user.userId ? `user id ${user.userId}` : `${user.userSubject ?? ''} at ${user.userIssuer ?? ''}`;
  const back = `${AREA}?${lookupQuery(ctx.query)}`;
  const lost = [
    `The grant ${who} gave ${provider} for ${workload}: the provider is asked to revoke it, and the token vault binding is deleted.`,
    `The agent of ${workload} gets no token of ${provider} for this user any more: it must ask the user to consent again.`,
  ];
  return confirmPage(ctx.api.target, ctx.csrf, { area: AREA, title: `Revoke ${provider} for ${workload}?`, back, backLabel: "This user's connections", action: revokeHref(ctx.query, { workloadName: workload, credentialProviderName: provider }), button: 'Revoke', lost });
}

async function revoke(ctx: Ctx): Promise<ConsoleResponse> {
  const user = userOf(ctx.query);
  const workloadName = posted(ctx.query, 'workload');
  const credentialProviderName = posted(ctx.query, 'provider');
  const back = lookupQuery(ctx.query);
  const done = await attempt(() => ctx.api.connections.revokeUserConnection({ ...user, workloadName, credentialProviderName }), ctx.api.target.endpoint);
  // Refused: the same list again (as the lookup shows it now), with the refusal on top.
  if ('refused' in done) return lookup({ ...ctx, method: 'GET', query: back }, done.refused);
  back.set('outcome', done.ok.revocation);
  back.set('revoked', credentialProviderName);
  back.set('workload', workloadName);
  return redirect(`${AREA}?${back}`);
}

export const userConnectionRoutes = [route('GET', /^\/user-connections$/, (ctx) => lookup(ctx)), route('GET', /^\/user-connections\/revoke$/, async (ctx) => confirmRevoke(ctx)), route('POST', /^\/user-connections\/revoke$/, revoke)];
