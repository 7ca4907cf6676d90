import {
  CreateApiKeyCredentialProviderCommand,
  DeleteApiKeyCredentialProviderCommand,
  GetApiKeyCredentialProviderCommand,
  ListApiKeyCredentialProvidersCommand,
  UpdateApiKeyCredentialProviderCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { escapeHtml } from '../../web/html.js';
import { attempt, type Refusal } from '../api-errors.js';
import { field, formLevelErrors, placeErrors, type FieldErrors } from '../form-fields.js';
import { posted, when } from '../forms.js';
import { confirmPage, csrfInput, page, redirect, type ConsoleResponse } from '../layout.js';
import { doneNotice, hrefOf, listFooter, listOutcome, refusedDetail, remove as removeThen, resourceRoutes, type ResourceArea } from '../resource-page.js';
import type { Ctx } from '../router.js';

const AREA = '/api-key-providers';
const KIND: ResourceArea = { area: AREA, noun: 'API key provider', all: 'All API key providers' };
const href = (name: string) => hrefOf(AREA, name);
const SECRET_FIELDS = ['apiKeySecretSource', 'apiKey', 'apiKeySecretConfig.secretId', 'apiKeySecretConfig.jsonKey'];

/** What the key form posted, never the key itself: that one is write-only and renders empty. */
interface KeyValues {
  source?: string;
  secretId?: string;
  jsonKey?: string;
}

function keyFields(values: KeyValues, errors: FieldErrors): string {
  return `${field({ name: 'apiKeySecretSource', label: 'Where the key is', type: 'select', value: values.source ?? 'MANAGED', options: [{ value: 'MANAGED', label: 'Paste the key: the service keeps it in a secret of its own' }, { value: 'EXTERNAL', label: 'A secret of mine in Secrets Manager (ARN or name + JSON key)' }] }, errors)}
<fieldset data-when="apiKeySecretSource=MANAGED"${values.source === 'EXTERNAL' ? ' data-inactive' : ''}><legend>Pasted key</legend>${field({ name: 'apiKey', label: 'API key', type: 'password', hint: 'Write-only: never shown again, here or anywhere.' }, errors)}</fieldset>
<fieldset data-when="apiKeySecretSource=EXTERNAL"${values.source === 'EXTERNAL' ? '' : ' data-inactive'}><legend>Existing secret</legend>${field({ name: 'apiKeySecretConfig.secretId', label: 'Secret ARN or name', value: values.secretId, placeholder: 'arn:aws:secretsmanager:…:secret:my-key-AbCdEf' }, errors)}${field({ name: 'apiKeySecretConfig.jsonKey', label: 'JSON key', value: values.jsonKey, hint: 'The key of the secret\u2019s JSON object that holds the API key. The service checks the secret is readable and holds it.' }, errors)}</fieldset>`;
}

function keyValues(form: URLSearchParams): KeyValues {
  return { source: posted(form, 'apiKeySecretSource') || 'MANAGED', secretId: posted(form, 'apiKeySecretConfig.secretId'), jsonKey: posted(form, 'apiKeySecretConfig.jsonKey') };
}

/** The API's key members from the form: a pasted key, or a reference to the operator's own secret. */
function keyInput(form: URLSearchParams) {
  const v = keyValues(form);
  if (v.source === 'EXTERNAL') return { apiKeySecretSource: 'EXTERNAL' as const, apiKeySecretConfig: { secretId: v.secretId!, jsonKey: v.jsonKey! } };
  return { apiKey: form.get('apiKey') ?? '' };
}

async function list(ctx: Ctx, form: { name?: string; values?: KeyValues; refusal?: Refusal } = {}): Promise<ConsoleResponse> {
  const nextToken = ctx.query.get('nextToken') ?? undefined;
  const listed = await attempt(() => ctx.api.control.send(new ListApiKeyCredentialProvidersCommand({ maxResults: 20, nextToken })), ctx.api.target.endpoint);
  const items = 'ok' in listed ? (listed.ok.credentialProviders ?? []).map((p) => `<li data-name="${escapeHtml(p.name ?? '')}"><a class="name" href="${escapeHtml(href(p.name ?? ''))}">${escapeHtml(p.name ?? '')}</a><span class="meta">updated ${escapeHtml(when(p.lastUpdatedTime))}</span></li>`).join('') : '';
  const fieldNames = ['name', ...SECRET_FIELDS];
  const errors = placeErrors(form.refusal?.errors ?? {}, fieldNames);
  const count = 'ok' in listed ? (listed.ok.credentialProviders ?? []).length : 0;
  const body = `<h1>API key credential providers</h1><p class="lead">An API key an agent gets with GetResourceApiKey, kept in Secrets Manager: pasted here (the service keeps it), or read from a secret of yours at each vend.</p>
<ul class="items">${items}</ul>${listFooter(listed, AREA, count, 'No API key providers yet.', ctx.query)}
<section class="card"><h2>Create an API key provider</h2>${formLevelErrors(errors, fieldNames)}<form method="post" action="${AREA}">${csrfInput(ctx.csrf)}${field({ name: 'name', label: 'Name', value: form.name, required: true }, errors)}${keyFields(form.values ?? {}, errors)}<button type="submit">Create</button></form></section>`;
  return page(ctx.api.target, { title: 'API key providers', area: AREA, body, ...listOutcome(listed, form.refusal, doneNotice(ctx.query, KIND, ctx.query.get('name') ?? '')) });
}

async function create(ctx: Ctx): Promise<ConsoleResponse> {
  const name = posted(ctx.form, 'name');
  const done = await attempt(() => ctx.api.control.send(new CreateApiKeyCredentialProviderCommand({ name, ...keyInput(ctx.form) })), ctx.api.target.endpoint);
  if ('refused' in done) return list(ctx, { name, values: keyValues(ctx.form), refusal: done.refused });
  return redirect(`${href(name)}?m=created`);
}

async function detail(ctx: Ctx, [name]: string[], form: { values?: KeyValues; refusal?: Refusal } = {}): Promise<ConsoleResponse> {
  const got = await attempt(() => ctx.api.control.send(new GetApiKeyCredentialProviderCommand({ name: name! })), ctx.api.target.endpoint);
  if ('refused' in got) return refusedDetail(ctx, KIND, name!, got.refused);
  const p = got.ok;
  const external = p.apiKeySecretSource === 'EXTERNAL';
  const errors = placeErrors(form.refusal?.errors ?? {}, SECRET_FIELDS);
  const flash = doneNotice(ctx.query, KIND, name!);
  const body = `<p><a href="${AREA}">← All API key providers</a></p><h1>${escapeHtml(p.name ?? name!)}</h1>
<section class="card"><dl><dt>ARN</dt><dd class="mono">${escapeHtml(p.credentialProviderArn ?? '')}</dd><dt>Key</dt><dd>${external ? 'in your secret' : 'managed by the service'}</dd><dt>Secret</dt><dd class="mono">${escapeHtml(p.apiKeySecretArn?.secretArn ?? '')}</dd>${external ? `<dt>JSON key</dt><dd class="mono">${escapeHtml(p.apiKeySecretJsonKey ?? '')}</dd>` : ''}<dt>Updated</dt><dd>${escapeHtml(when(p.lastUpdatedTime))}</dd></dl></section>
<section class="card"><h2>${external ? 'Point at another secret, or paste a key' : 'Rotate or replace the key'}</h2><p class="lead">Saving replaces the key agents get from now on; the old one is not kept.</p>${formLevelErrors(errors, SECRET_FIELDS)}<form method="post" action="${escapeHtml(href(name!))}">${csrfInput(ctx.csrf)}${keyFields(form.values ?? { source: p.apiKeySecretSource, secretId: external ? p.apiKeySecretArn?.secretArn : undefined, jsonKey: p.apiKeySecretJsonKey }, errors)}<button type="submit">Save</button></form></section>
<section class="card"><h2>Delete</h2><p>Agents stop getting this key at once.</p><a class="button danger" href="${escapeHtml(href(name!))}/delete">Delete…</a></section>`;
  return page(ctx.api.target, { title: name!, area: AREA, body, notice: form.refusal?.notice ?? flash, status: form.refusal?.status });
}

async function update(ctx: Ctx, params: string[]): Promise<ConsoleResponse> {
  const done = await attempt(() => ctx.api.control.send(new UpdateApiKeyCredentialProviderCommand({ name: params[0]!, ...keyInput(ctx.form) })), ctx.api.target.endpoint);
  if ('refused' in done) return detail(ctx, params, { values: keyValues(ctx.form), refusal: done.refused });
  return redirect(`${href(params[0]!)}?m=updated`);
}

function confirmDelete(ctx: Ctx, [name]: string[], refusal?: Refusal): ConsoleResponse {
  const lost = ['The provider: agents asking for this key get ResourceNotFoundException.', 'A key the service keeps (a pasted key) is deleted with it; a secret of yours is left as it is.'];
  return confirmPage(ctx.api.target, ctx.csrf, { area: AREA, title: `Delete API key provider ${name}?`, back: href(name!), backLabel: name!, action: `${href(name!)}/delete`, button: `Delete ${name}`, lost }, refusal?.notice, refusal?.status);
}

function remove(ctx: Ctx, params: string[]): Promise<ConsoleResponse> {
  return removeThen(ctx, KIND, params[0]!, () => ctx.api.control.send(new DeleteApiKeyCredentialProviderCommand({ name: params[0]! })), (r) => confirmDelete(ctx, params, r));
}

export const apiKeyProviderRoutes = resourceRoutes(AREA, { list: (ctx) => list(ctx), create, detail: (ctx, p) => detail(ctx, p), update, confirmDelete: async (ctx, p) => confirmDelete(ctx, p), remove });
