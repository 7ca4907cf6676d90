import {
  CreateConsentPortalCommand,
  DeleteConsentPortalCommand,
  GetConsentPortalCommand,
  ListConsentPortalsCommand,
  ListOauth2CredentialProvidersCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateConsentPortalCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { escapeHtml } from '../../web/html.js';
import { attempt, type Refusal } from '../api-errors.js';
import { when } from '../forms.js';
import { confirmPage, csrfInput, page, pager, redirect, type ConsoleResponse, type Notice } from '../layout.js';
import { route, type Ctx } from '../router.js';
import { idpConfigOf, portalFields, portalFormValues, portalTags, SCOPES_TAG_PREFIX, tagValues, type PortalFormValues } from './consent-portal-form.js';

const AREA = '/consent-portals';
const href = (id: string) => `${AREA}/${encodeURIComponent(id)}`;
const openLink = (url: string | undefined) => (url ? `<a class="button secondary" href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">Open the portal</a>` : '');

/** The OAuth2 providers a portal may sign users in with (the first 100: List pages by 20), plus the one already chosen. */
async function idpOptions(ctx: Ctx, chosen: string | undefined) {
  const options: Array<{ value: string; label: string }> = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 5; page++) {
    const listed = await attempt(() => ctx.api.control.send(new ListOauth2CredentialProvidersCommand({ maxResults: 20, nextToken })), ctx.api.target.endpoint);
    if ('refused' in listed) break;
    options.push(...(listed.ok.credentialProviders ?? []).map((p) => ({ value: p.credentialProviderArn ?? '', label: p.name ?? '' })));
    nextToken = listed.ok.nextToken;
    if (!nextToken) break;
  }
  // The stored ARN may be in the other ARN namespace than List's: the same provider by its name.
  const same = chosen ? options.find((o) => o.value === chosen || o.label === chosen.split('/').pop()) : undefined;
  if (same) same.value = chosen!;
  else if (chosen) options.unshift({ value: chosen, label: chosen });
  return options;
}

async function list(ctx: Ctx, form: { values?: PortalFormValues; refusal?: Refusal } = {}): Promise<ConsoleResponse> {
  const nextToken = ctx.query.get('nextToken') ?? undefined;
  const listed = await attempt(() => ctx.api.control.send(new ListConsentPortalsCommand({ maxResults: 20, nextToken })), ctx.api.target.endpoint);
  const items = 'ok' in listed ? (listed.ok.consentPortals ?? []).map((p) => `<li data-id="${escapeHtml(p.consentPortalId ?? '')}"><a class="name" href="${escapeHtml(href(p.consentPortalId ?? ''))}">${escapeHtml(p.name ?? '')}</a>${openLink(p.portalUrl)}<span class="meta">${escapeHtml(p.status ?? '')} · ${escapeHtml(p.portalUrl ?? '')}</span></li>`).join('') : '';
  const values = form.values ?? {};
  const deleted: Notice | undefined = ctx.query.get('m') === 'deleted' ? { kind: 'ok', text: `Consent portal ${ctx.query.get('name') ?? ''} deleted.` } : undefined;
  const body = `<h1>Consent portals</h1><p class="lead">A page where your users sign in, see which accounts an agent may use for them, connect and disconnect.</p>
<ul class="items">${items}</ul>${'ok' in listed && !items ? '<p class="lead">No consent portals yet.</p>' : ''}${'ok' in listed ? pager(AREA, listed.ok.nextToken, !nextToken) : ''}
<section class="card"><h2>Create a consent portal</h2><form method="post" action="${AREA}">${csrfInput(ctx.csrf)}${portalFields('create', values, form.refusal?.errors ?? {}, await idpOptions(ctx, values.idpProviderArn))}<button type="submit">Create</button></form></section>`;
  return page(ctx.api.target, { title: 'Consent portals', area: AREA, body, notice: form.refusal?.notice ?? ('refused' in listed ? listed.refused.notice : deleted), status: form.refusal?.status });
}

async function create(ctx: Ctx): Promise<ConsoleResponse> {
  const v = portalFormValues(ctx.form);
  const input = { name: v.name, description: v.description || undefined, executionRoleArn: v.executionRoleArn, idpConfig: idpConfigOf(v), sources: [{ type: 'agentcore-gateway' as const, identifier: v.gateway }], tags: portalTags(v) };
  const done = await attempt(() => ctx.api.control.send(new CreateConsentPortalCommand(input)), ctx.api.target.endpoint);
  if ('refused' in done) return list(ctx, { values: v, refusal: done.refused });
  return redirect(`${href(done.ok.consentPortalId ?? '')}?m=created`);
}

async function detail(ctx: Ctx, [id]: string[], form: { values?: PortalFormValues; refusal?: Refusal } = {}): Promise<ConsoleResponse> {
  const got = await attempt(() => ctx.api.control.send(new GetConsentPortalCommand({ consentPortalIdentifier: id! })), ctx.api.target.endpoint);
  if ('refused' in got) return page(ctx.api.target, { title: id!, area: AREA, body: `<h1>${escapeHtml(id!)}</h1><p><a href="${AREA}">All consent portals</a></p>`, notice: got.refused.notice, status: got.refused.status });
  const p = got.ok;
  const tags = await attempt(() => ctx.api.control.send(new ListTagsForResourceCommand({ resourceArn: p.consentPortalArn! })), ctx.api.target.endpoint);
  const stored: PortalFormValues = { description: p.description, executionRoleArn: p.executionRoleArn, idpProviderArn: p.idpConfig?.credentialProviderArn, idpScopes: (p.idpConfig?.scopes ?? []).join(' '), audience: p.idpConfig?.audience, ...tagValues('ok' in tags ? (tags.ok.tags ?? {}) : {}) };
  const values = form.values ?? stored;
  const m = ctx.query.get('m');
  const flash: Notice | undefined = m === 'created' || m === 'updated' ? { kind: 'ok', text: `Consent portal ${p.name} ${m === 'created' ? 'created' : 'saved'}.` } : undefined;
  const body = `<p><a href="${AREA}">← All consent portals</a></p><h1>${escapeHtml(p.name ?? id!)}</h1>
<section class="card"><dl><dt>Portal URL</dt><dd class="mono">${escapeHtml(p.portalUrl ?? '')}</dd><dt>IdP redirect URI</dt><dd class="mono">${escapeHtml(p.portalUrl ? `${p.portalUrl}/callback` : '')}</dd><dt>Status</dt><dd>${escapeHtml(p.status ?? '')}</dd><dt>Gateway</dt><dd class="mono">${escapeHtml((p.sources ?? []).map((s) => s.identifier).join(', '))}</dd><dt>ARN</dt><dd class="mono">${escapeHtml(p.consentPortalArn ?? '')}</dd><dt>Updated</dt><dd>${escapeHtml(when(p.updatedAt))}</dd></dl><div class="actions">${openLink(p.portalUrl)}${p.portalUrl ? `<button type="button" class="secondary" data-copy="${escapeHtml(`${p.portalUrl}/callback`)}">Copy redirect URI</button>` : ''}</div></section>
<section class="card"><h2>Edit</h2><form method="post" action="${escapeHtml(href(id!))}">${csrfInput(ctx.csrf)}${portalFields('edit', values, form.refusal?.errors ?? {}, await idpOptions(ctx, values.idpProviderArn))}<button type="submit">Save</button></form></section>
<section class="card"><h2>Delete</h2><a class="button danger" href="${escapeHtml(href(id!))}/delete">Delete…</a></section>`;
  return page(ctx.api.target, { title: p.name ?? id!, area: AREA, body, notice: form.refusal?.notice ?? ('refused' in tags ? tags.refused.notice : flash), status: form.refusal?.status });
}

/**
 * Update, then the connection tags: set what the form says, remove scopes tags of providers no
 * longer named. Each step is checked by the service; the first refusal stops the rest and is shown.
 */
async function update(ctx: Ctx, params: string[]): Promise<ConsoleResponse> {
  const id = params[0]!;
  const v = portalFormValues(ctx.form);
  const endpoint = ctx.api.target.endpoint;
  const done = await attempt(async () => {
    const updated = await ctx.api.control.send(new UpdateConsentPortalCommand({ consentPortalIdentifier: id, description: v.description, executionRoleArn: v.executionRoleArn, idpConfig: idpConfigOf(v) }));
    const arn = updated.consentPortalArn!;
    const wanted = portalTags(v);
    await ctx.api.control.send(new TagResourceCommand({ resourceArn: arn, tags: wanted }));
    const current = (await ctx.api.control.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? {};
    const stale = Object.keys(current).filter((k) => k.startsWith(SCOPES_TAG_PREFIX) && !(k in wanted));
    if (stale.length) await ctx.api.control.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: stale }));
  }, endpoint);
  if ('refused' in done) return detail(ctx, params, { values: v, refusal: done.refused });
  return redirect(`${href(id)}?m=updated`);
}

function confirmDelete(ctx: Ctx, [id]: string[], refusal?: Refusal): ConsoleResponse {
  const lost = ['The portal page: its URL stops working, and users signed in to it are signed out.', 'Its settings and tags.'];
  const after = "Users' connections made through it stay in the token vault: they belong to the workload identity and provider (revoke them under User connections).";
  return confirmPage(ctx.api.target, ctx.csrf, { area: AREA, title: `Delete consent portal ${id}?`, back: href(id!), backLabel: id!, action: `${href(id!)}/delete`, button: 'Delete the portal', lost, after }, refusal?.notice, refusal?.status);
}

async function remove(ctx: Ctx, params: string[]): Promise<ConsoleResponse> {
  const done = await attempt(() => ctx.api.control.send(new DeleteConsentPortalCommand({ consentPortalIdentifier: params[0]! })), ctx.api.target.endpoint);
  if ('refused' in done) return confirmDelete(ctx, params, done.refused);
  return redirect(`${AREA}?m=deleted&name=${encodeURIComponent(params[0]!)}`);
}

export const consentPortalRoutes = [
  route('GET', /^\/consent-portals$/, (ctx) => list(ctx)),
  route('POST', /^\/consent-portals$/, create),
  route('GET', /^\/consent-portals\/([^/]+)$/, (ctx, p) => detail(ctx, p)),
  route('POST', /^\/consent-portals\/([^/]+)$/, update),
  route('GET', /^\/consent-portals\/([^/]+)\/delete$/, async (ctx, p) => confirmDelete(ctx, p)),
  route('POST', /^\/consent-portals\/([^/]+)\/delete$/, remove),
];
