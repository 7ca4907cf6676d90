import { escapeHtml } from '../web/html.js';
import { pageHeaders as sharedPageHeaders, styleHash } from '../web/headers.js';
import type { Connection } from './connections.js';


const CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2430}
main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.4rem;margin:0 0 .25rem}p.lead{color:#5a6372;margin:0 0 1.5rem}
ul{list-style:none;padding:0;margin:0}li{background:#fff;border:1px solid #dde1e7;border-radius:.5rem;padding:1rem;margin:0 0 .75rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between}
.name{font-weight:600}.state{font-size:.9rem;color:#5a6372;width:100%}.connected{color:#12733a}.needs-consent{color:#a15c00}
button,a.button{font:inherit;border:0;border-radius:.375rem;padding:.5rem 1rem;background:#2756c5;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#e4e7ec;color:#1d2430}.notice{background:#fff;border-left:4px solid #2756c5;padding:.75rem 1rem;margin:0 0 1rem}
form{margin:0}header{display:flex;justify-content:space-between;align-items:center;gap:1rem;margin:0 0 1rem}.who{font-size:.85rem;color:#5a6372;overflow-wrap:anywhere}`;
const CSS_HASH = styleHash(CSS);

/**
 * The headers of every portal page: no script at all, only this page's own style, forms that post
 * to the portal and, for Connect, on to the authorization servers it redirects to; never framed,
 * never cached, never a Referer (page URLs are not secret, but authorization servers need not know them).
 */
export function pageHeaders(formTargets: string[] = []): Record<string, string> {
  return sharedPageHeaders({ styles: [CSS_HASH], formTargets });
}

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>`;
}

export function messagePage(title: string, text: string, link?: { href: string; label: string }): string {
  const action = link ? `<p><a class="button" href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '';
  return layout(title, `<h1>${escapeHtml(title)}</h1><p class="lead">${escapeHtml(text)}</p>${action}`);
}

export function signInPage(portalName: string, signInHref: string): string {
  return messagePage(portalName, 'Sign in to see and manage the accounts your agents may use on your behalf.', { href: signInHref, label: 'Sign in' });
}

function describe(c: Connection): string {
  if (c.state === 'connected') return `Connected${c.since ? ` since ${new Date(c.since).toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}${c.scopes.length ? `, with ${c.scopes.join(' ')}` : ''}`;
  if (c.state === 'needs-consent') return 'Access expired or was withdrawn at the provider: connect again';
  if (c.state === 'unavailable') return 'Not available: the provider is not configured';
  return 'Not connected';
}

function connectionItem(c: Connection, base: string, csrf: string): string {
  const hidden = `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}"><input type="hidden" name="provider" value="${escapeHtml(c.provider)}">`;
  const action =
    c.state === 'connected'
      ? `<form method="post" action="${escapeHtml(base)}/disconnect">${hidden}<button class="secondary" type="submit">Disconnect</button></form>`
      : c.state === 'unavailable'
        ? ''
        : `<form method="post" action="${escapeHtml(base)}/connect">${hidden}<button type="submit">Connect</button></form>`;
  return `<li data-provider="${escapeHtml(c.provider)}" data-state="${c.state}"><span class="name">${escapeHtml(c.provider)}</span>${action}<span class="state ${c.state}">${escapeHtml(describe(c))}</span></li>`;
}

export function connectionsPage(view: { portalName: string; description?: string; user: string; base: string; csrf: string; connections: Connection[]; notice?: string }): string {
  const notice = view.notice ? `<p class="notice" role="status">${escapeHtml(view.notice)}</p>` : '';
  const signOut = `<form method="post" action="${escapeHtml(view.base)}/signout"><input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}"><button class="secondary" type="submit">Sign out</button></form>`;
  const items = view.connections.map((c) => connectionItem(c, view.base, view.csrf)).join('');
  return layout(
    `${view.portalName}: connections`,
    `<header><div><h1>${escapeHtml(view.portalName)}</h1><div class="who">Signed in as ${escapeHtml(view.user)}</div></div>${signOut}</header><p class="lead">${escapeHtml(view.description || 'The accounts your agents may use on your behalf.')}</p>${notice}<ul>${items}</ul>`,
  );
}
