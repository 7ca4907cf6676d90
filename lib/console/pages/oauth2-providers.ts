import {
  CreateOauth2CredentialProviderCommand,
  DeleteOauth2CredentialProviderCommand,
  GetOauth2CredentialProviderCommand,
  ListOauth2CredentialProvidersCommand,
  UpdateOauth2CredentialProviderCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { escapeHtml } from '../../web/html.js';
import { attempt, type Refusal } from '../api-errors.js';
import { field, formLevelErrors, type FieldErrors } from '../form-fields.js';
import { posted, when } from '../forms.js';
import { confirmPage, csrfInput, page, redirect, type ConsoleResponse } from '../layout.js';
import { isVendor, vendorForm } from '../oauth2-form-plan.js';
import { callbackUrlPanel, oauth2ProviderFields, oauth2ProviderInput, oauth2ProviderValues, oauth2VendorChoices, STORED_SECRET_SOURCE } from '../oauth2-provider-forms.js';
import { doneNotice, hrefOf, listFooter, listOutcome, refusedDetail, remove as removeThen, resourceRoutes, type ResourceArea } from '../resource-page.js';
import { route, type Ctx } from '../router.js';

const AREA = '/oauth2-providers';
const KIND: ResourceArea = { area: AREA, noun: 'OAuth2 provider', all: 'All OAuth2 providers' };
const href = (name: string) => hrefOf(AREA, name);
const vendorLabel = (vendor: string) => oauth2VendorChoices().find((c) => c.vendor === vendor)?.label ?? vendor;

/** A refusal from the form itself (a required field, JSON that does not parse), shaped like the service's. */
const formRefusal = (errors: FieldErrors): Refusal => ({ status: 400, errors, notice: { kind: 'error', text: 'Some fields need attention: see the messages below.' } });

async function list(ctx: Ctx): Promise<ConsoleResponse> {
  const nextToken = ctx.query.get('nextToken') ?? undefined;
  const listed = await attempt(() => ctx.api.control.send(new ListOauth2CredentialProvidersCommand({ maxResults: 20, nextToken })), ctx.api.target.endpoint);
  const items = 'ok' in listed ? (listed.ok.credentialProviders ?? []).map((p) => `<li data-name="${escapeHtml(p.name ?? '')}"><a class="name" href="${escapeHtml(href(p.name ?? ''))}">${escapeHtml(p.name ?? '')}</a><span>${escapeHtml(vendorLabel(p.credentialProviderVendor ?? ''))}</span><span class="meta">updated ${escapeHtml(when(p.lastUpdatedTime))}</span></li>`).join('') : '';
  const options = oauth2VendorChoices().map((c) => ({ value: c.vendor, label: c.label }));
  const count = 'ok' in listed ? (listed.ok.credentialProviders ?? []).length : 0;
  const body = `<h1>OAuth2 credential providers</h1><p class="lead">Where agents get OAuth2 tokens: for a user (3-legged, with consent) or for themselves (client credentials).</p>
<ul class="items">${items}</ul>${listFooter(listed, AREA, count, 'No OAuth2 providers yet.', ctx.query)}
<section class="card"><h2>Create an OAuth2 provider</h2><form method="get" action="/new-oauth2-provider">${field({ name: 'vendor', label: 'Vendor', type: 'select', value: 'GithubOauth2', options, hint: 'Each vendor\u2019s form asks only for what that vendor takes; Custom takes any OAuth2 or OpenID Connect server by discovery URL or metadata.' })}<button type="submit">Next</button></form></section>`;
  return page(ctx.api.target, { title: 'OAuth2 providers', area: AREA, body, ...listOutcome(listed, undefined, doneNotice(ctx.query, KIND, ctx.query.get('name') ?? '')) });
}

function newForm(ctx: Ctx, vendor: string, form: { name?: string; values?: Record<string, string>; refusal?: Refusal } = {}): ConsoleResponse {
  if (!isVendor(vendor)) return page(ctx.api.target, { title: 'Unknown vendor', area: AREA, body: `<h1>Unknown vendor</h1><p><a href="${AREA}">All OAuth2 providers</a></p>`, notice: { kind: 'error', text: `No vendor ${vendor} in the catalogue: choose one from the list.` }, status: 404 });
  const errors = form.refusal?.errors ?? {};
  const fields = oauth2ProviderFields({ mode: 'create', vendor, values: form.values ?? {}, errors });
  const body = `<p><a href="${AREA}">← All OAuth2 providers</a></p><h1>New ${escapeHtml(vendorLabel(vendor))} provider</h1>
<section class="card">${formLevelErrors(pageErrors(errors), ['name'])}<form method="post" action="/new-oauth2-provider?vendor=${encodeURIComponent(vendor)}">${csrfInput(ctx.csrf)}${field({ name: 'name', label: 'Name', value: form.name, required: true, hint: 'What agents name in GetResourceOauth2Token.' }, errors)}${fields}<button type="submit">Create</button></form></section>`;
  return page(ctx.api.target, { title: `New ${vendorLabel(vendor)} provider`, area: AREA, body, notice: form.refusal?.notice, status: form.refusal?.status });
}

/** The errors the vendor fields do not show themselves (they show every `oauth2ProviderConfigInput…` one): the name's, the rest. */
function pageErrors(errors: FieldErrors): FieldErrors {
  return Object.fromEntries(Object.entries(errors).filter(([name]) => name !== 'credentialProviderVendor' && name !== 'oauth2ProviderConfigInput' && !name.startsWith('oauth2ProviderConfigInput.')));
}

/** Only what the form showed comes back into it, and never a secret field (write-only). */
function echoValues(form: URLSearchParams, mode: 'create' | 'edit', vendor: string): Record<string, string> {
  if (!isVendor(vendor)) return {};
  const shown = new Set(vendorForm(vendor, mode).sections.flatMap((s) => s.fields).filter((f) => f.type !== 'password').map((f) => f.name));
  shown.add(STORED_SECRET_SOURCE);
  return Object.fromEntries([...form].filter(([k]) => shown.has(k)));
}

async function create(ctx: Ctx): Promise<ConsoleResponse> {
  const vendor = ctx.query.get('vendor') ?? '';
  const name = posted(ctx.form, 'name');
  const values = echoValues(ctx.form, 'create', vendor);
  const built = oauth2ProviderInput('create', vendor, name, ctx.form);
  if ('errors' in built) return newForm(ctx, vendor, { name, values, refusal: formRefusal(built.errors) });
  const done = await attempt(() => ctx.api.control.send(new CreateOauth2CredentialProviderCommand(built.input)), ctx.api.target.endpoint);
  if ('refused' in done) return newForm(ctx, vendor, { name, values, refusal: done.refused });
  return redirect(`${href(name)}?m=created`);
}

async function detail(ctx: Ctx, [name]: string[], form: { values?: Record<string, string>; refusal?: Refusal } = {}): Promise<ConsoleResponse> {
  const got = await attempt(() => ctx.api.control.send(new GetOauth2CredentialProviderCommand({ name: name! })), ctx.api.target.endpoint);
  if ('refused' in got) return refusedDetail(ctx, KIND, name!, got.refused);
  const p = got.ok;
  const vendor = p.credentialProviderVendor ?? 'CustomOauth2';
  const errors = form.refusal?.errors ?? {};
  const fields = oauth2ProviderFields({ mode: 'edit', vendor, values: form.values ?? oauth2ProviderValues(p), errors });
  const flash = doneNotice(ctx.query, KIND, name!, { created: `OAuth2 provider ${name} created. Copy its callback URL into the provider's app (below).` });
  const body = `<p><a href="${AREA}">← All OAuth2 providers</a></p><h1>${escapeHtml(p.name ?? name!)}</h1>
${callbackUrlPanel(vendor, p.callbackUrl ?? '')}
<section class="card"><dl><dt>Vendor</dt><dd>${escapeHtml(vendorLabel(vendor))}</dd><dt>ARN</dt><dd class="mono">${escapeHtml(p.credentialProviderArn ?? '')}</dd><dt>Client secret</dt><dd class="mono">${escapeHtml(p.clientSecretArn?.secretArn ?? '')}</dd><dt>Updated</dt><dd>${escapeHtml(when(p.lastUpdatedTime))}</dd></dl></section>
<section class="card"><h2>Edit</h2><p class="lead">Secret fields are write-only: leave them empty to keep the stored secret.</p>${formLevelErrors(pageErrors(errors), [])}<form method="post" action="${escapeHtml(href(name!))}">${csrfInput(ctx.csrf)}${fields}<button type="submit">Save</button></form></section>
<section class="card"><h2>Delete</h2><p>Every user's tokens for this provider go with it.</p><a class="button danger" href="${escapeHtml(href(name!))}/delete">Delete…</a></section>`;
  return page(ctx.api.target, { title: name!, area: AREA, body, notice: form.refusal?.notice ?? flash, status: form.refusal?.status });
}

async function update(ctx: Ctx, params: string[]): Promise<ConsoleResponse> {
  const name = params[0]!;
  const got = await attempt(() => ctx.api.control.send(new GetOauth2CredentialProviderCommand({ name })), ctx.api.target.endpoint);
  if ('refused' in got) return detail(ctx, params);
  const vendor = got.ok.credentialProviderVendor ?? 'CustomOauth2';
  const values = echoValues(ctx.form, 'edit', vendor);
  const built = oauth2ProviderInput('edit', vendor, name, ctx.form);
  if ('errors' in built) return detail(ctx, params, { values, refusal: formRefusal(built.errors) });
  const done = await attempt(() => ctx.api.control.send(new UpdateOauth2CredentialProviderCommand(built.input)), ctx.api.target.endpoint);
  if ('refused' in done) return detail(ctx, params, { values, refusal: done.refused });
  return redirect(`${href(name)}?m=updated`);
}

function confirmDelete(ctx: Ctx, [name]: string[], refusal?: Refusal): ConsoleResponse {
  const lost = ["Every user's token vault bindings for this provider, in every workload identity (users connect again).", 'Consent sessions in progress for it.', 'Its client secret, when the service keeps it (a secret of yours is left as it is).'];
  const after = 'Consent portals listing it show it as unavailable; agents asking for it get ResourceNotFoundException.';
  return confirmPage(ctx.api.target, ctx.csrf, { area: AREA, title: `Delete OAuth2 provider ${name}?`, back: href(name!), backLabel: name!, action: `${href(name!)}/delete`, button: `Delete ${name}`, lost, after }, refusal?.notice, refusal?.status);
}

function remove(ctx: Ctx, params: string[]): Promise<ConsoleResponse> {
  return removeThen(ctx, KIND, params[0]!, () => ctx.api.control.send(new DeleteOauth2CredentialProviderCommand({ name: params[0]! })), (r) => confirmDelete(ctx, params, r));
}

export const oauth2ProviderRoutes = [
  route('GET', /^\/new-oauth2-provider$/, async (ctx) => newForm(ctx, ctx.query.get('vendor') ?? 'CustomOauth2')),
  route('POST', /^\/new-oauth2-provider$/, create),
  ...resourceRoutes(AREA, { list, detail: (ctx, p) => detail(ctx, p), update, confirmDelete: async (ctx, p) => confirmDelete(ctx, p), remove }),
];
