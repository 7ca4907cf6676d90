import type { ConsoleResponse } from './layout.js';
import type { ConsoleApi } from './target.js';

/** One request as a page handler sees it: already past the guard. */
export interface Ctx {
  method: 'GET' | 'POST';
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  /** The session's CSRF token, for the forms the page renders. */
  csrf: string;
  api: ConsoleApi;
}

export type Handler = (ctx: Ctx, params: string[]) => Promise<ConsoleResponse>;

export interface Route {
  method: 'GET' | 'POST';
  /** Anchored; its groups are the path's parameters (names of resources), handed over decoded. */
  pattern: RegExp;
  handler: Handler;
}

export function route(method: Route['method'], pattern: RegExp, handler: Handler): Route {
  return { method, pattern, handler };
}

/** The handler of a request and its parameters; a parameter that does not decode matches nothing. */
export function match(routes: Route[], method: string, path: string): { handler: Handler; params: string[] } | { methodNotAllowed: boolean } {
  let pathKnown = false;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathKnown = true;
    if (r.method !== method) continue;
    try {
      return { handler: r.handler, params: m.slice(1).map((p) => decodeURIComponent(p ?? '')) };
    } catch {
      return { methodNotAllowed: false };
    }
  }
  return { methodNotAllowed: pathKnown };
}
