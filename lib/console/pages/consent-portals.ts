import {
  CreateConsentPortalCommand,
  DeleteConsentPortalCommand,
  GetConsentPortalCommand,
  type GetConsentPortalCommandOutput,
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
import { confirmPage, csrfInput, page, redirect, type ConsoleResponse } from '../layout.js';
import { doneNotice, hrefOf, listFooter, listOutcome, refusedDetail, remove as removeThen, resourceRoutes, type ResourceArea } from '../resource-page.js';
import type { Ctx } from '../router.js';
import { SCOPES_TAG_PREFIX } from '../../consent-portals/connections.js';
import { idpConfigOf, portalFields, portalFormValues, portalTags, TAGS_SHOWN, tagValues, type PortalFormValues } from './consent-portal-form.js';

const AREA = '/consent-portals';
const KIND: ResourceArea = { area: AREA, noun: 'Consent portal', all: 'All consent portals' };
const href = (id: string) => hrefOf(AREA, id);
const openLink = (url: string | undefined) => (url ? `<a class="button secondary" href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">Open the portal</a>` : '');

/** The OAuth2 providers a portal may sign users in with (the first 100: List pages by 20), plus the one already chosen. */
const IDP_CHOICE_PAGES = 5;

/**
 * The sign-in provider choices: every OAuth2 provider, read 20 at a time up to IDP_CHOICE_PAGES
 * pages; none (the ARN is then typed) when there are more, so a provider beyond them can be chosen too.
 */
export async function idpOptions(ctx: Pick<Ctx, 'api'>, chosen: string | undefined) {
  const options: Array<{ value: string; label: string }> = [];
  let nextToken: string | undefined;
  for (let page = 0; page < IDP_CHOICE_PAGES; page++) {
    const listed = await attempt(() => ctx.api.control.send(new ListOauth2CredentialProvidersCommand({ maxResults: 20, nextToken })), ctx.api.target.endpoint);
    if ('refused' in listed) break;
    options.push(...(listed.ok.credentialProviders ?? []).map((p) => ({ value: p.credentialProviderArn ?? '', label: p.name ?? '' })));
    nextToken = listed.ok.nextToken;
    if (!nextToken) break;
  }
  if (nextToken) return [];
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
  const count = 'ok' in listed ? (listed.ok.consentPortals ?? []).length : 0;
  const body = `<h1>Consent portals</h1><p class="lead">A page where your users sign in, see which accounts an agent may use for them, connect and disconnect.</p>
<ul class="items">${items}</ul>${listFooter(listed, AREA, count, 'No consent portals yet.', ctx.query)}
<section class="card"><h2>Create a consent portal</h2><form method="post" action="${AREA}">${csrfInput(ctx.csrf)}${portalFields('create', values, form.refusal?.errors ?? {}, await idpOptions(ctx, values.idpProviderArn))}<button type="submit">Create</button></form></section>`;
  return page(ctx.api.target, { title: 'Consent portals', area: AREA, body, ...listOutcome(listed, form.refusal, doneNotice(ctx.query, KIND, ctx.query.get('name') ?? '')) });
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
  if ('refused' in got) return refusedDetail(ctx, KIND, id!, got.refused);
  const p = got.ok;
  const tags = await attempt(() => ctx.api.control.send(new ListTagsForResourceCommand({ resourceArn: p.consentPortalArn! })), ctx.api.target.endpoint);
  const stored: PortalFormValues = { description: p.description, executionRoleArn: p.executionRoleArn, idpProviderArn: p.idpConfig?.credentialProviderArn, idpScopes: (p.idpConfig?.scopes ?? []).join(' '), audience: p.idpConfig?.audience, ...tagValues('ok' in tags ? (tags.ok.tags ?? {}) : {}) };
  const values = form.values ?? stored;
  const flash = doneNotice(ctx.query, KIND, p.name ?? id!);
  const body = `<p><a href="${AREA}">← All consent portals</a></p><h1>${escapeHtml(p.name ?? id!)}</h1>
<section class="card"><dl><dt>Portal URL</dt><dd class="mono">${escapeHtml(p.portalUrl ?? '')}</dd><dt>IdP redirect URI</dt><dd class="mono">${escapeHtml(p.portalUrl ? `${p.portalUrl}/callback` : '')}</dd><dt>Status</dt><dd>${escapeHtml(p.status ?? '')}</dd><dt>Gateway</dt><dd class="mono">${escapeHtml((p.sources ?? []).map((s) => s.identifier).join(', '))}</dd><dt>ARN</dt><dd class="mono">${escapeHtml(p.consentPortalArn ?? '')}</dd><dt>Updated</dt><dd>${escapeHtml(when(p.updatedAt))}</dd></dl><div class="actions">${openLink(p.portalUrl)}${p.portalUrl ? `<button type="button" class="secondary" data-copy="${escapeHtml(`${p.portalUrl}/callback`)}">Copy redirect URI</button>` : ''}</div></section>
<section class="card"><h2>Edit</h2><form method="post" action="${escapeHtml(href(id!))}">${csrfInput(ctx.csrf)}${portalFields('edit', values, form.refusal?.errors ?? {}, await idpOptions(ctx, values.idpProviderArn), 'refused' in tags ? (tags.refused.notice?.text ?? 'refused') : undefined)}<button type="submit">Save</button></form></section>
<section class="card"><h2>Delete</h2><a class="button danger" href="${escapeHtml(href(id!))}/delete">Delete…</a></section>`;
  return page(ctx.api.target, { title: p.name ?? id!, area: AREA, body, notice: form.refusal?.notice ?? ('refused' in tags ? tags.refused.notice : flash), status: form.refusal?.status });
}

/** One write of a save, named for the notice that says what was saved and what was refused. */
interface SaveStep {
  what: string;
  run: () => Promise<unknown>;
}

/**
 * The tag writes first: the service re-checks the stored tags on UpdateConsentPortal, so a
 * portal whose workload or provider is gone is repaired only by tagging first. TagResource checks
 * the tags it would leave, so the new ones go on before stale scopes tags come off. Unchanged tags
 * are not written; tags the form did not show (unreadable) are left alone.
 */
async function tagSteps(ctx: Ctx, arn: string, v: PortalFormValues): Promise<{ steps: SaveStep[] } | { refused: Refusal }> {
  if (!ctx.form.get(TAGS_SHOWN)) return { steps: [] };
  const listed = await attempt(() => ctx.api.control.send(new ListTagsForResourceCommand({ resourceArn: arn })), ctx.api.target.endpoint);
  if ('refused' in listed) return listed;
  const current = listed.ok.tags ?? {};
  const wanted = portalTags(v);
  const steps: SaveStep[] = [];
  if (Object.entries(wanted).some(([k, value]) => current[k] !== value)) steps.push({ what: 'the connection tags', run: () => ctx.api.control.send(new TagResourceCommand({ resourceArn: arn, tags: wanted })) });
  const stale = Object.keys(current).filter((k) => k.startsWith(SCOPES_TAG_PREFIX) && !(k in wanted));
  if (stale.length) steps.push({ what: `the removal of scopes tags (${stale.map((k) => k.slice(SCOPES_TAG_PREFIX.length)).join(', ')})`, run: () => ctx.api.control.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: stale })) });
  return { steps };
}

/** UpdateConsentPortal, only when the description, the execution role or the sign-in settings changed. */
function settingsStep(ctx: Ctx, id: string, stored: GetConsentPortalCommandOutput, v: PortalFormValues): SaveStep[] {
  const idp = idpConfigOf(v);
  const was = stored.idpConfig;
  const same = (stored.description ?? '') === (v.description ?? '') && (stored.executionRoleArn ?? '') === (v.executionRoleArn ?? '') && (was?.credentialProviderArn ?? '') === idp.credentialProviderArn && (was?.scopes ?? []).join(' ') === idp.scopes.join(' ') && (was?.audience ?? '') === (idp.audience ?? '');
  if (same) return [];
  return [{ what: 'the description, execution role and sign-in settings', run: () => ctx.api.control.send(new UpdateConsentPortalCommand({ consentPortalIdentifier: id, description: v.description, executionRoleArn: v.executionRoleArn, idpConfig: idp })) }];
}

async function update(ctx: Ctx, params: string[]): Promise<ConsoleResponse> {
  const id = params[0]!;
  const v = portalFormValues(ctx.form);
  const endpoint = ctx.api.target.endpoint;
  const got = await attempt(() => ctx.api.control.send(new GetConsentPortalCommand({ consentPortalIdentifier: id })), endpoint);
  if ('refused' in got) return detail(ctx, params, { values: v, refusal: got.refused });
  const tags = await tagSteps(ctx, got.ok.consentPortalArn!, v);
  if ('refused' in tags) return detail(ctx, params, { values: v, refusal: tags.refused });
  const saved: string[] = [];
  for (const step of [...tags.steps, ...settingsStep(ctx, id, got.ok, v)]) {
    const done = await attempt(step.run, endpoint);
    if ('ok' in done) {
      saved.push(step.what);
      continue;
    }
    if (saved.length === 0) return detail(ctx, params, { values: v, refusal: done.refused });
    // Half saved: the form shows what is stored now (re-read), and the notice says which part went in.
    const text = `Saved: ${saved.join('; ')}. Refused: ${step.what}. ${done.refused.notice?.text ?? ''} The form shows what is stored now.`;
    return detail(ctx, params, { refusal: { ...done.refused, notice: { kind: 'error', text } } });
  }
  return redirect(`${href(id)}?m=updated`);
}

function confirmDelete(ctx: Ctx, [id]: string[], refusal?: Refusal): ConsoleResponse {
  const lost = ['The portal page: its URL stops working, and users signed in to it are signed out.', 'Its settings and tags.'];
  const after = "Users' connections made through it stay in the token vault: they belong to the workload identity and provider (revoke them under User connections).";
  return confirmPage(ctx.api.target, ctx.csrf, { area: AREA, title: `Delete consent portal ${id}?`, back: href(id!), backLabel: id!, action: `${href(id!)}/delete`, button: 'Delete the portal', lost, after }, refusal?.notice, refusal?.status);
}

function remove(ctx: Ctx, params: string[]): Promise<ConsoleResponse> {
  return removeThen(ctx, KIND, params[0]!, () => ctx.api.control.send(new DeleteConsentPortalCommand({ consentPortalIdentifier: params[0]! })), (r) => confirmDelete(ctx, params, r));
}

export const consentPortalRoutes = resourceRoutes(AREA, { list: (ctx) => list(ctx), create, detail: (ctx, p) => detail(ctx, p), update, confirmDelete: async (ctx, p) => confirmDelete(ctx, p), remove });
