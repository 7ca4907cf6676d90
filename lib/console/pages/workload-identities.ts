import {
  CreateWorkloadIdentityCommand,
  DeleteWorkloadIdentityCommand,
  GetWorkloadIdentityCommand,
  ListWorkloadIdentitiesCommand,
  UpdateWorkloadIdentityCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { escapeHtml } from '../../web/html.js';
import { attempt, type Refusal } from '../api-errors.js';
import { field, formLevelErrors, placeErrors, type FieldErrors } from '../form-fields.js';
import { lines, posted, when } from '../forms.js';
import { confirmPage, csrfInput, page, redirect, type ConsoleResponse, type Notice } from '../layout.js';
import { doneNotice, hrefOf, listFooter, listOutcome, refusedDetail, remove as removeThen, resourceRoutes, type ResourceArea } from '../resource-page.js';
import type { Ctx } from '../router.js';

const AREA = '/workload-identities';
const KIND: ResourceArea = { area: AREA, noun: 'Workload identity', all: 'All workload identities' };
const URLS = 'allowedResourceOauth2ReturnUrls';
const URLS_HINT = 'One URL per line: where a 3-legged OAuth flow may send the user back to (your agent application).';
const href = (name: string) => hrefOf(AREA, name);

function createForm(ctx: Ctx, values: { name?: string; urls?: string }, errors: FieldErrors): string {
  const folded = placeErrors(errors, ['name', URLS]);
  return `<section class="card"><h2>Create a workload identity</h2>${formLevelErrors(folded, ['name', URLS])}<form method="post" action="${AREA}">${csrfInput(ctx.csrf)}
${field({ name: 'name', label: 'Name', value: values.name, required: true, hint: 'Letters, digits, _ . : - (up to 255): what your agent names when it asks for a workload access token.' }, folded)}
${field({ name: URLS, label: 'Allowed return URLs', type: 'textarea', value: values.urls, hint: URLS_HINT }, folded)}
<button type="submit">Create</button></form></section>`;
}

async function list(ctx: Ctx, form: { values?: { name?: string; urls?: string }; refusal?: Refusal } = {}): Promise<ConsoleResponse> {
  const nextToken = ctx.query.get('nextToken') ?? undefined;
  const listed = await attempt(() => ctx.api.control.send(new ListWorkloadIdentitiesCommand({ maxResults: 20, nextToken })), ctx.api.target.endpoint);
  const items =
    'ok' in listed
      ? (listed.ok.workloadIdentities ?? []).map((w) => `<li data-name="${escapeHtml(w.name ?? '')}"><a class="name" href="${escapeHtml(href(w.name ?? ''))}">${escapeHtml(w.name ?? '')}</a><span class="meta mono">${escapeHtml(w.workloadIdentityArn ?? '')}</span></li>`).join('')
      : '';
  const count = 'ok' in listed ? (listed.ok.workloadIdentities ?? []).length : 0;
  const body = `<h1>Workload identities</h1><p class="lead">Each agent (or agent deployment) has a workload identity; the token vault keeps every user's tokens per workload identity.</p><ul class="items">${items}</ul>${listFooter(listed, AREA, count, 'No workload identities yet.', ctx.query)}${createForm(ctx, form.values ?? {}, form.refusal?.errors ?? {})}`;
  return page(ctx.api.target, { title: 'Workload identities', area: AREA, body, ...listOutcome(listed, form.refusal, doneNotice(ctx.query, KIND, ctx.query.get('name') ?? '')) });
}

async function create(ctx: Ctx): Promise<ConsoleResponse> {
  const values = { name: posted(ctx.form, 'name'), urls: ctx.form.get(URLS) ?? '' };
  const urls = lines(values.urls);
  const done = await attempt(() => ctx.api.control.send(new CreateWorkloadIdentityCommand({ name: values.name, ...(urls.length ? { [URLS]: urls } : {}) })), ctx.api.target.endpoint);
  if ('refused' in done) return list(ctx, { values, refusal: done.refused });
  return redirect(`${href(values.name)}?m=created`);
}

async function detail(ctx: Ctx, [name]: string[], form: { urls?: string; refusal?: Refusal } = {}): Promise<ConsoleResponse> {
  const got = await attempt(() => ctx.api.control.send(new GetWorkloadIdentityCommand({ name: name! })), ctx.api.target.endpoint);
  if ('refused' in got) return refusedDetail(ctx, KIND, name!, got.refused);
  const w = got.ok;
  const errors = placeErrors(form.refusal?.errors ?? {}, [URLS]);
  const urls = form.urls ?? (w.allowedResourceOauth2ReturnUrls ?? []).join('\n');
  const body = `<p><a href="${AREA}">← All workload identities</a></p><h1>${escapeHtml(w.name ?? name!)}</h1>
<section class="card"><dl><dt>ARN</dt><dd class="mono">${escapeHtml(w.workloadIdentityArn ?? '')}</dd><dt>Created</dt><dd>${escapeHtml(when(w.createdTime))}</dd><dt>Last updated</dt><dd>${escapeHtml(when(w.lastUpdatedTime))}</dd></dl></section>
<section class="card"><h2>Allowed return URLs</h2>${formLevelErrors(errors, [URLS])}<form method="post" action="${escapeHtml(href(name!))}">${csrfInput(ctx.csrf)}${field({ name: URLS, label: 'Allowed return URLs', type: 'textarea', value: urls, hint: URLS_HINT }, errors)}<button type="submit">Save</button></form></section>
<section class="card"><h2>Delete</h2><p>Deleting this workload identity also removes every user's token vault bindings for it.</p><a class="button danger" href="${escapeHtml(href(name!))}/delete">Delete…</a></section>`;
  return page(ctx.api.target, { title: name!, area: AREA, body, notice: form.refusal?.notice ?? doneNotice(ctx.query, KIND, name!), status: form.refusal?.status });
}

async function update(ctx: Ctx, params: string[]): Promise<ConsoleResponse> {
  const urls = ctx.form.get(URLS) ?? '';
  const done = await attempt(() => ctx.api.control.send(new UpdateWorkloadIdentityCommand({ name: params[0]!, [URLS]: lines(urls) })), ctx.api.target.endpoint);
  if ('refused' in done) return detail(ctx, params, { urls, refusal: done.refused });
  return redirect(`${href(params[0]!)}?m=updated`);
}

function confirmDelete(ctx: Ctx, [name]: string[], notice?: Notice, status?: number): ConsoleResponse {
  return confirmPage(
    ctx.api.target,
    ctx.csrf,
    {
      area: AREA,
      title: `Delete workload identity ${name}?`,
      back: href(name!),
      backLabel: name!,
      action: `${href(name!)}/delete`,
      button: `Delete ${name}`,
      lost: [
        "Every user's token vault bindings for this workload identity: the OAuth2 tokens users granted to this agent (they will have to connect again).",
        'Consent sessions in progress for it (users halfway through a 3-legged flow).',
        'Workload access tokens issued for it stop being accepted.',
      ],
      after: 'Consent portals that name it in their agentcore-identity:workload tag show "not set up" until a workload identity of this name exists again.',
    },
    notice,
    status,
  );
}

function remove(ctx: Ctx, params: string[]): Promise<ConsoleResponse> {
  return removeThen(ctx, KIND, params[0]!, () => ctx.api.control.send(new DeleteWorkloadIdentityCommand({ name: params[0]! })), (r) => confirmDelete(ctx, params, r.notice, r.status));
}

export const workloadIdentityRoutes = resourceRoutes(AREA, { list: (ctx) => list(ctx), create, detail: (ctx, p) => detail(ctx, p), update, confirmDelete: async (ctx, p) => confirmDelete(ctx, p), remove });
