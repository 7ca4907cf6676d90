import { randomBytes } from 'node:crypto';
import { randomToken, sameToken } from '../web/tokens.js';

/**
 * What keeps other sites, other local servers and other local users' browsers away from a web
 * server on the operator's machine that holds the operator's AWS credentials:
 * - a host name nobody else knows, `<128 random bits>.localhost` (browsers resolve *.localhost to
 *   loopback themselves): cookies ignore ports and SameSite takes 127.0.0.1:9999 for the same site
 *   as 127.0.0.1:4001, so a cookie of 127.0.0.1 reaches every local server the browser visits; a
 *   cookie of the secret name reaches only this console. 127.0.0.1 and localhost stay a fallback
 *   for browsers that do not resolve *.localhost, and a session is good only on the host it began on;
 * - a single-use launch token in the printed URL, exchanged at the first visit for a session cookie
 *   (HttpOnly: no script reads it; SameSite=Strict: no other site's page or link sends it);
 * - Host exactly one of those names with the port, so a rebound DNS name that now points at
 *   127.0.0.1 reaches nothing (its requests carry its own name as Host);
 * - on every non-GET, Origin equal to the console's own origin (Sec-Fetch-Site same-origin when the
 *   browser sends it) and the session's CSRF token. The headers are checked before the body is read.
 */
export interface GuardRequest {
  method: string;
  /** The request target as sent (path and query). */
  target: string;
  headers: Record<string, string | string[] | undefined>;
  /** The posted form; absent, a non-GET that passes the header checks answers 'read-form'. */
  form?: URLSearchParams;
}

export type GuardDecision =
  | { kind: 'refuse'; why: string }
  | { kind: 'launch'; setCookie: string; location: string }
  /** The headers passed: read the body (only now) and ask again with the form, for the CSRF check. */
  | { kind: 'read-form' }
  | { kind: 'pass'; session: ConsoleSession; origin: string };

export interface ConsoleSession {
  csrf: string;
  /** The Host the session was launched on: its cookie is good there only. */
  host: string;
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
  /** 128 random bits in lowercase hex: a DNS label (under 63 characters), the same in every browser. */
  readonly hostname = `${randomBytes(16).toString('hex')}.localhost`;
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

  /**
   * A new single-use launch token (the old one, spent or not, no longer works), for an operator
   * whose link was lost; sessions already signed in stay valid.
   */
  reissue(): string {
    this.launch = randomToken();
    return this.launchQuery();
  }

  check(request: GuardRequest): GuardDecision {
    const host = header(request.headers, 'host');
    if (host === undefined || !this.hosts().includes(host)) return { kind: 'refuse', why: 'host' };
    const origin = `http://${host}`;
    const url = new URL(request.target, origin);
    const offered = url.searchParams.get('launch');
    if (offered !== null) return this.exchange(offered, request.method, host);
    const session = this.sessions.get(cookieValue(header(request.headers, 'cookie'), this.cookieName) ?? '');
    if (!session || session.host !== host) return { kind: 'refuse', why: 'session' };
    if (request.method === 'GET' || request.method === 'HEAD') return { kind: 'pass', session, origin };
    if (header(request.headers, 'origin') !== origin) return { kind: 'refuse', why: 'origin' };
    const site = header(request.headers, 'sec-fetch-site');
    if (site !== undefined && site !== 'same-origin') return { kind: 'refuse', why: 'origin' };
    if (request.form === undefined) return { kind: 'read-form' };
    if (!sameToken(request.form.get('csrf') ?? undefined, session.csrf)) return { kind: 'refuse', why: 'csrf' };
    return { kind: 'pass', session, origin };
  }

  /** The secret name first; the loopback names only as the fallback. */
  private hosts(): string[] {
    return [`${this.hostname}:${this.port}`, `127.0.0.1:${this.port}`, `localhost:${this.port}`];
  }

  /**
   * The launch token buys one session, once, on a GET, on whichever host spends it (one token for
   * the printed URL and its fallback: an unspent second token would outlive the launch).
   */
  private exchange(offered: string, method: string, host: string): GuardDecision {
    if (method !== 'GET' || !sameToken(offered, this.launch)) return { kind: 'refuse', why: 'launch' };
    this.launch = undefined;
    const id = randomToken();
    this.sessions.set(id, { csrf: randomToken(), host });
    return { kind: 'launch', setCookie: `${this.cookieName}=${id}; HttpOnly; SameSite=Strict; Path=/`, location: '/' };
  }
}
