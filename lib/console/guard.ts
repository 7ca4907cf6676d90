import { randomToken, sameToken } from '../web/tokens.js';

/**
 * What keeps other sites and other local users' browsers away from a web server on the operator's
 * machine that holds the operator's AWS credentials:
 * - a single-use launch token in the printed URL, exchanged at the first visit for a session cookie
 *   (HttpOnly: no script reads it; SameSite=Strict: no other site's page or link sends it);
 * - Host exactly 127.0.0.1:<port> or localhost:<port>, so a rebound DNS name that now points at
 *   127.0.0.1 reaches nothing (its requests carry its own name as Host);
 * - on every non-GET, Origin equal to the console's own origin (Sec-Fetch-Site same-origin when the
 *   browser sends it) and the session's CSRF token.
 */
export interface GuardRequest {
  method: string;
  /** The request target as sent (path and query). */
  target: string;
  headers: Record<string, string | string[] | undefined>;
  /** The posted form, read only for non-GET requests. */
  form?: URLSearchParams;
}

export type GuardDecision =
  | { kind: 'refuse'; why: string }
  | { kind: 'launch'; setCookie: string; location: string }
  | { kind: 'pass'; session: ConsoleSession; origin: string };

export interface ConsoleSession {
  csrf: string;
}

const header = (headers: GuardRequest['headers'], name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export class ConsoleGuard {
  private launch: string | undefined = randomToken();
  private readonly sessions = new Map<string, ConsoleSession>();
  private port = 0;
  /** Per port: two consoles on one machine (cookies ignore ports) keep their sessions apart. */
  private cookieName = 'agentcore_console';

  /** Called once the server listens: the Host check and the cookie name need the real port. */
  listening(port: number): void {
    this.port = port;
    this.cookieName = `agentcore_console_${port}`;
  }

  /** The launch URL's query, while the token is unspent. */
  launchQuery(): string {
    return this.launch ? `/?launch=${this.launch}` : '/';
  }

  check(request: GuardRequest): GuardDecision {
    const host = header(request.headers, 'host');
    if (host !== `127.0.0.1:${this.port}` && host !== `localhost:${this.port}`) return { kind: 'refuse', why: 'host' };
    const origin = `http://${host}`;
    const url = new URL(request.target, origin);
    const offered = url.searchParams.get('launch');
    if (offered !== null) return this.exchange(offered, request.method);
    const session = this.sessions.get(cookieValue(header(request.headers, 'cookie'), this.cookieName) ?? '');
    if (!session) return { kind: 'refuse', why: 'session' };
    if (request.method === 'GET' || request.method === 'HEAD') return { kind: 'pass', session, origin };
    if (header(request.headers, 'origin') !== origin) return { kind: 'refuse', why: 'origin' };
    const site = header(request.headers, 'sec-fetch-site');
    if (site !== undefined && site !== 'same-origin') return { kind: 'refuse', why: 'origin' };
    if (!sameToken(request.form?.get('csrf') ?? undefined, session.csrf)) return { kind: 'refuse', why: 'csrf' };
    return { kind: 'pass', session, origin };
  }

  /** The launch token buys one session, once, on a GET; then it is spent whatever happens next. */
  private exchange(offered: string, method: string): GuardDecision {
    if (method !== 'GET' || !sameToken(offered, this.launch)) return { kind: 'refuse', why: 'launch' };
    this.launch = undefined;
    const id = randomToken();
    this.sessions.set(id, { csrf: randomToken() });
    return { kind: 'launch', setCookie: `${this.cookieName}=${id}; HttpOnly; SameSite=Strict; Path=/`, location: '/' };
  }
}
