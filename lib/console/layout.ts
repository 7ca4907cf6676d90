import { escapeHtml } from '../web/html.js';
import { pageHeaders, styleHash } from '../web/headers.js';
import type { TargetInfo } from './target.js';

/** What a page handler answers; the server adds the headers. */
export interface ConsoleResponse {
  status: number;
  body: string;
  location?: string;
}

const CSS = `*{box-sizing:border-box}body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2430}
.top{background:#1d2430;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline;justify-content:space-between}
.top .brand{font-weight:600}.top .target{font-size:.85rem;color:#c9d1de;overflow-wrap:anywhere}
nav{background:#fff;border-bottom:1px solid #dde1e7;padding:0 .5rem;display:flex;flex-wrap:wrap}
nav a{padding:.6rem .6rem;color:#2756c5;text-decoration:none;border-bottom:3px solid transparent;font-size:.95rem}nav a.active{border-color:#2756c5;color:#1d2430;font-weight:600}
main{max-width:60rem;margin:0 auto;padding:1.25rem 1rem 3rem}h1{font-size:1.4rem;margin:0 0 .75rem}h2{font-size:1.1rem;margin:1.75rem 0 .5rem}
p.lead{color:#5a6372;margin:0 0 1rem}a{color:#2756c5}code,.mono{font-family:ui-monospace,monospace;font-size:.88em;overflow-wrap:anywhere}
section.card>:first-child{margin-top:0}section.card,ul.items li{background:#fff;border:1px solid #dde1e7;border-radius:.5rem;padding:1rem;margin:0 0 .75rem}
ul.items{list-style:none;padding:0;margin:0}ul.items li{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;justify-content:space-between}
ul.items .name{font-weight:600}ul.items .meta{width:100%;font-size:.85rem;color:#5a6372;overflow-wrap:anywhere}
.field{margin:0 0 .9rem}.field label{display:block;font-weight:600;margin:0 0 .2rem}
input,select,textarea{font:inherit;width:100%;max-width:38rem;padding:.45rem .55rem;border:1px solid #b8c0cc;border-radius:.375rem;background:#fff}
.hint{font-size:.85rem;color:#5a6372}.field.invalid input,.field.invalid select,.field.invalid textarea{border-color:#b42318}
.field-error,.form-error{color:#b42318;font-size:.9rem}.form-error{border-left:4px solid #b42318;background:#fff;padding:.5rem .75rem;margin:0 0 1rem}
fieldset{border:1px solid #dde1e7;border-radius:.5rem;margin:0 0 1rem;padding:.75rem 1rem;min-width:0}legend{font-weight:600;padding:0 .25rem}
fieldset.choices{border:0;padding:0;margin:0 0 .9rem}fieldset.choices legend{padding:0;margin:0 0 .2rem}label.choice{display:flex;gap:.5rem;align-items:baseline;margin:.15rem 0}input[type=radio],input[type=checkbox]{width:auto;margin:0}
button,a.button{font:inherit;border:0;border-radius:.375rem;padding:.5rem 1rem;background:#2756c5;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,a.button.secondary{background:#e4e7ec;color:#1d2430}button.danger,a.button.danger{background:#b42318;color:#fff}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0 0}form.inline{display:inline}
.notice{background:#fff;border-left:4px solid #2756c5;padding:.6rem 1rem;margin:0 0 1rem}.notice.error{border-color:#b42318}.notice.ok{border-color:#12733a}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.3rem 1rem;margin:0}dt{color:#5a6372}dd{margin:0;overflow-wrap:anywhere}
.pager{margin:1rem 0}[data-inactive]{opacity:.55}.js [data-inactive]{display:none}details.group{border:1px solid #dde1e7;border-radius:.5rem;margin:0 0 1rem;padding:.5rem 1rem}details.group summary{cursor:pointer;font-weight:600}
.callback-panel{background:#eef3ff;border:1px solid #b9cbf5;border-radius:.5rem;padding:1rem;margin:0 0 .75rem}.callback-panel h2{margin-top:0}.copy-row{display:flex;gap:.5rem}.copy-row input{flex:1;min-width:0}.status-CONNECTED{color:#12733a}.status-NEEDS_CONSENT{color:#a15c00}
@media (max-width:600px){nav a{padding:.45rem .45rem;font-size:.9rem}dl{grid-template-columns:1fr}dd{margin:0 0 .4rem}main{padding:1rem .75rem 3rem}}`;
const CSS_HASH = styleHash(CSS);

/**
 * Every console page: this stylesheet (by hash) and the one script, served by the console itself.
 * Referrer-Policy same-origin, not the portal's no-referrer: under no-referrer a browser posts
 * forms with `Origin: null`, and the guard requires the console's own origin on every post.
 */
export const CONSOLE_HEADERS = pageHeaders({ styles: [CSS_HASH], scripts: ["'self'"], referrerPolicy: 'same-origin' });

const AREAS: Array<[string, string]> = [
  ['/workload-identities', 'Workload identities'],
  ['/api-key-providers', 'API key providers'],
  ['/oauth2-providers', 'OAuth2 providers'],
  ['/token-vault', 'Token vault'],
  ['/consent-portals', 'Consent portals'],
  ['/user-connections', 'User connections'],
];

function targetLine(target: TargetInfo): string {
  if (target.offline) return `offline at ${target.endpoint}${target.credentialSource === 'offline' ? ' (credentials local/local)' : ''}`;
  return `${target.endpoint} · ${target.region}`;
}

export interface PageView {
  title: string;
  /** The nav area this page belongs to (its path). */
  area: string;
  body: string;
  notice?: Notice;
  status?: number;
}

export interface Notice {
  kind: 'ok' | 'error' | 'info';
  text: string;
}

export function noticeHtml(notice: Notice | undefined): string {
  if (!notice) return '';
  return `<div class="notice ${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}">${escapeHtml(notice.text)}</div>`;
}

export function page(target: TargetInfo, view: PageView): ConsoleResponse {
  const nav = AREAS.map(([href, label]) => `<a href="${href}"${href === view.area ? ' class="active" aria-current="page"' : ''}>${escapeHtml(label)}</a>`).join('');
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(view.title)} · AgentCore Identity console</title><style>${CSS}</style><script src="/console.js" defer></script></head><body><div class="top"><span class="brand">AgentCore Identity console</span><span class="target">${escapeHtml(targetLine(target))}</span></div><nav>${nav}</nav><main>${noticeHtml(view.notice)}${view.body}</main></body></html>`;
  return { status: view.status ?? 200, body };
}

/** The page of a refused request: no layout, no data, nothing that would help a foreign page. */
export function plainPage(status: number, title: string, text: string): ConsoleResponse {
  return { status, body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${CSS}</style></head><body><main><h1>${escapeHtml(title)}</h1><p class="lead">${escapeHtml(text)}</p></main></body></html>` };
}

export function redirect(location: string): ConsoleResponse {
  return { status: 303, body: '', location };
}

/** The hidden input every console form carries. */
export function csrfInput(csrf: string): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`;
}

/** A small form that posts one action (delete, revoke...) with its CSRF token and hidden values. */
export function actionForm(action: string, csrf: string, label: string, hidden: Record<string, string> = {}, style = 'secondary'): string {
  const inputs = Object.entries(hidden).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  return `<form class="inline" method="post" action="${escapeHtml(action)}">${csrfInput(csrf)}${inputs}<button class="${style}" type="submit">${escapeHtml(label)}</button></form>`;
}

/** "Next page" for a list the service pages with nextToken. */
export function pager(path: string, nextToken: string | undefined, first: boolean): string {
  const links = [first ? '' : `<a class="button secondary" href="${escapeHtml(path)}">First page</a>`, nextToken ? `<a class="button secondary" href="${escapeHtml(`${path}?nextToken=${encodeURIComponent(nextToken)}`)}">Next page</a>` : ''].filter(Boolean);
  return links.length ? `<div class="pager actions">${links.join('')}</div>` : '';
}

export interface Confirmation {
  area: string;
  title: string;
  /** Where Cancel and the back link go. */
  back: string;
  backLabel: string;
  /** Where the confirming form posts. */
  action: string;
  button: string;
  /** What is lost, one item each, in words. */
  lost: string[];
  after?: string;
}

/** The page between a Delete link and the delete itself: what goes with it, and a Cancel. */
export function confirmPage(target: TargetInfo, csrf: string, c: Confirmation, notice?: Notice, status?: number): ConsoleResponse {
  const lost = c.lost.map((item) => `<li>${escapeHtml(item)}</li>`).join('');
  const body = `<p><a href="${escapeHtml(c.back)}">← ${escapeHtml(c.backLabel)}</a></p><h1>${escapeHtml(c.title)}</h1>
<section class="card"><p>This cannot be undone. What is lost:</p><ul>${lost}</ul>${c.after ? `<p>${escapeHtml(c.after)}</p>` : ''}
<div class="actions">${actionForm(c.action, csrf, c.button, {}, 'danger')}<a class="button secondary" href="${escapeHtml(c.back)}">Cancel</a></div></section>`;
  return page(target, { title: c.title, area: c.area, body, notice, status });
}
