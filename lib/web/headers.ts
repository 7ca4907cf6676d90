import { createHash } from 'node:crypto';

/** The CSP source of one inline `<style>` element: its hash, so no other inline style runs. */
export function styleHash(css: string): string {
  return `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
}

export interface PageSecurity {
  /** CSP style sources (a `styleHash`, or `'self'` for a stylesheet served by the same origin). */
  styles: string[];
  /** CSP script sources; none (the default) means no script runs at all. */
  scripts?: string[];
  /** Where forms may post besides the page's own origin (the portal's Connect goes on to authorization servers). */
  formTargets?: string[];
  /**
   * 'no-referrer' (the default) sends no Referer anywhere, but browsers then send `Origin: null`
   * on a form post; a page that must see its own Origin on posts takes 'same-origin', which still
   * sends nothing to any other site.
   */
  referrerPolicy?: 'no-referrer' | 'same-origin';
}

/**
 * The headers of every page this project serves (consent portals, the operator console): a strict
 * Content-Security-Policy (nothing loads or runs unless named), never framed, never cached (pages
 * carry CSRF tokens and account data), never a Referer to another site (authorization servers and
 * other sites need not learn page URLs), no MIME sniffing.
 */
export function pageHeaders(security: PageSecurity): Record<string, string> {
  const forms = ["'self'", ...new Set(security.formTargets ?? [])].join(' ');
  const scripts = security.scripts?.length ? `; script-src ${security.scripts.join(' ')}` : '';
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src ${security.styles.join(' ')}${scripts}; form-action ${forms}; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'referrer-policy': security.referrerPolicy ?? 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
}
