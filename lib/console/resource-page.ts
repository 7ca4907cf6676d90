import { escapeHtml } from '../web/html.js';
import { attempt, type Refusal } from './api-errors.js';
import { page, pager, redirect, type ConsoleResponse, type Notice } from './layout.js';
import { route, type Ctx, type Handler, type Route } from './router.js';

/**
 * What the resource pages (workload identities, API key and OAuth2 providers, consent portals)
 * share: one area of the console, a list with a create form, a detail page with an edit form, and
 * a delete behind a confirmation.
 */
export interface ResourceArea {
  /** The area's path: `/workload-identities`. */
  area: string;
  /** How a notice names one: `Workload identity`. */
  noun: string;
  /** The back link of a detail page: `All workload identities`. */
  all: string;
}

export const hrefOf = (area: string, name: string) => `${area}/${encodeURIComponent(name)}`;

const DONE: Record<string, string> = { created: 'created', updated: 'saved', deleted: 'deleted' };

/**
 * The notice after a redirect (`?m=created|updated|deleted`); `said` replaces the text of an
 * outcome (a created OAuth2 provider also says where its callback URL goes).
 */
export function doneNotice(query: URLSearchParams, kind: ResourceArea, name: string, said: Partial<Record<string, string>> = {}): Notice | undefined {
  const m = query.get('m') ?? '';
  const word = DONE[m];
  if (!word) return undefined;
  return { kind: 'ok', text: said[m] ?? `${kind.noun} ${name} ${word}.` };
}

/** A detail page whose Get was refused (not found, most often): the refusal, its status, a way back. */
export function refusedDetail(ctx: Ctx, kind: ResourceArea, name: string, refusal: Refusal): ConsoleResponse {
  return page(ctx.api.target, { title: name, area: kind.area, body: `<h1>${escapeHtml(name)}</h1><p><a href="${kind.area}">${escapeHtml(kind.all)}</a></p>`, notice: refusal.notice, status: refusal.status });
}

/** Below a list's items: what an empty list says, and the pager; nothing when the List was refused. */
export function listFooter(listed: { ok: { nextToken?: string } } | { refused: Refusal }, area: string, itemCount: number, emptyText: string, query: URLSearchParams): string {
  if (!('ok' in listed)) return '';
  return `${itemCount === 0 ? `<p class="lead">${escapeHtml(emptyText)}</p>` : ''}${pager(area, listed.ok.nextToken, !query.get('nextToken'))}`;
}

/**
 * The notice and status of a list page: a refused form first, then a refused List (a bad
 * nextToken is the caller's 400, not a 200 page), then the notice of a redirect.
 */
export function listOutcome(listed: { ok: unknown } | { refused: Refusal }, formRefusal: Refusal | undefined, after: Notice | undefined): { notice?: Notice; status?: number } {
  if (formRefusal) return { notice: formRefusal.notice, status: formRefusal.status };
  if ('refused' in listed) return { notice: listed.refused.notice, status: listed.refused.status };
  return { notice: after };
}

/** The confirmed delete: back to the list saying so, or the confirmation again with the refusal. */
export async function remove(ctx: Ctx, kind: ResourceArea, name: string, call: () => Promise<unknown>, confirm: (refusal: Refusal) => ConsoleResponse): Promise<ConsoleResponse> {
  const done = await attempt(call, ctx.api.target.endpoint);
  if ('refused' in done) return confirm(done.refused);
  return redirect(`${kind.area}?m=deleted&name=${encodeURIComponent(name)}`);
}

export interface ResourceHandlers {
  list: Handler;
  /** Absent when create has a page of its own (OAuth2 providers: one form per vendor). */
  create?: Handler;
  detail: Handler;
  update: Handler;
  confirmDelete: Handler;
  remove: Handler;
}

/** The six routes of a resource area: list and create, detail and update, delete's confirmation and the delete. */
export function resourceRoutes(area: string, h: ResourceHandlers): Route[] {
  const one = `^${area}/([^/]+)`;
  return [
    route('GET', new RegExp(`^${area}$`), h.list),
    ...(h.create ? [route('POST', new RegExp(`^${area}$`), h.create)] : []),
    route('GET', new RegExp(`${one}$`), h.detail),
    route('POST', new RegExp(`${one}$`), h.update),
    route('GET', new RegExp(`${one}/delete$`), h.confirmDelete),
    route('POST', new RegExp(`${one}/delete$`), h.remove),
  ];
}
