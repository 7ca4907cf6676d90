import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsoleGuard } from './guard.js';
import { CONSOLE_HEADERS, page, plainPage, type ConsoleResponse } from './layout.js';
import { match, type Ctx } from './router.js';
import { CONSOLE_ROUTES } from './routes.js';
import { CONSOLE_SCRIPT } from './static.js';
import { consoleApi, type ConsoleApi, type TargetOptions } from './target.js';

export interface ConsoleOptions extends TargetOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port?: number;
}

export interface LaunchLinks {
  /** The URL to open first: the console's secret host name and the single-use launch token. */
  launchUrl: string;
  /**
   * The same token on 127.0.0.1, for a browser that does not resolve *.localhost: its cookie is
   * sent to every other server on 127.0.0.1, whatever the port.
   */
  fallbackLaunchUrl: string;
}

export interface RunningConsole extends LaunchLinks {
  /** http://<128 random bits>.localhost:<port>, served on 127.0.0.1 */
  url: string;
  /** http://127.0.0.1:<port> */
  fallbackUrl: string;
  /** A new single-use launch token for both URLs (the previous one stops working); sessions stay. */
  reissue(): LaunchLinks;
  close(): Promise<void>;
}

/** Forms are small; a bigger body is refused unread. */
const MAX_BODY = 64 * 1024;
/**
 * Any local process can open connections: each gets 10 s to send its whole request (Node's
 * default is 300 s), and 64 at a time are served (a browser opens 6 per host).
 */
const REQUEST_SECONDS = 10;
const MAX_CONNECTIONS = 64;

async function readForm(request: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  const type = request.headers['content-type'] ?? '';
  return new URLSearchParams(type.startsWith('application/x-www-form-urlencoded') ? Buffer.concat(chunks).toString('utf8') : '');
}

function send(response: ServerResponse, answer: ConsoleResponse, extra: Record<string, string> = {}): void {
  response.writeHead(answer.status, { ...CONSOLE_HEADERS, ...(answer.location ? { location: answer.location } : {}), ...extra });
  response.end(answer.body);
}

const REFUSED = () => plainPage(403, 'Refused', 'Open the console through the URL it printed when it started (the link works once; press Enter where it runs for a new one), in the same browser.');

/** What the guard allows, its form read only once the headers passed (a refused body is never read). */
async function admit(guard: ConsoleGuard, request: IncomingMessage) {
  const asked = { method: request.method ?? '', target: request.url ?? '/', headers: request.headers };
  const decision = guard.check(asked);
  if (decision.kind !== 'read-form') return { decision, form: new URLSearchParams() };
  const form = await readForm(request);
  return form ? { decision: guard.check({ ...asked, form }), form } : undefined;
}

async function serve(guard: ConsoleGuard, api: ConsoleApi, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? '';
  const admitted = await admit(guard, request);
  // The body left unread is not waited for: the connection closes after the answer.
  if (!admitted) return send(response, plainPage(413, 'Too large', 'The form was too large.'), { connection: 'close' });
  const { decision, form } = admitted;
  if (decision.kind === 'refuse') return send(response, REFUSED(), method === 'GET' || method === 'HEAD' ? {} : { connection: 'close' });
  if (decision.kind === 'read-form') throw new Error('the guard asked for the form twice');
  if (decision.kind === 'launch') return send(response, { status: 303, body: '', location: decision.location }, { 'set-cookie': decision.setCookie });
  const url = new URL(request.url ?? '/', decision.origin);
  if (method === 'GET' && url.pathname === '/console.js') {
    response.writeHead(200, { ...CONSOLE_HEADERS, 'content-type': 'text/javascript; charset=utf-8' });
    return void response.end(CONSOLE_SCRIPT);
  }
  if (method === 'GET' && url.pathname === '/') return send(response, { status: 303, body: '', location: '/workload-identities' });
  const found = match(CONSOLE_ROUTES, method, url.pathname);
  if (!('handler' in found)) {
    const status = found.methodNotAllowed ? 405 : 404;
    return send(response, page(api.target, { title: 'Not found', area: '', status, body: `<h1>${status === 405 ? 'Not allowed' : 'Not found'}</h1><p class="lead">There is no such page in the console.</p>` }));
  }
  const ctx: Ctx = { method: method as Ctx['method'], path: url.pathname, query: url.searchParams, form, csrf: decision.session.csrf, api };
  send(response, await found.handler(ctx, found.params));
}

/**
 * The operator console: a web server on 127.0.0.1 only, calling the service with the operator's
 * credentials (which never leave this process: pages get only what the service answered).
 */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const api = await consoleApi(options);
  const guard = new ConsoleGuard();
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    serve(guard, api, request, response).catch((error: Error) => {
      // The error's name only: a message could quote what the page was handling.
      if (!response.headersSent) send(response, plainPage(500, 'The console failed', `The page could not be shown (${error.name}).`));
      else response.destroy();
    });
  };
  const servers = await listenOnLoopback(options.port ?? 0, handle);
  const port = (servers[0]!.address() as AddressInfo).port;
  guard.listening(port);
  const url = `http://${guard.hostname}:${port}`;
  const fallbackUrl = `http://127.0.0.1:${port}`;
  const links = (query: string): LaunchLinks => ({ launchUrl: `${url}${query}`, fallbackLaunchUrl: `${fallbackUrl}${query}` });
  return {
    url,
    fallbackUrl,
    ...links(guard.launchQuery()),
    reissue: () => links(guard.reissue()),
    close: () => Promise.all(servers.map((server) => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }))).then(() => undefined),
  };
}

function newServer(handle: (request: IncomingMessage, response: ServerResponse) => void): Server {
  // Node checks the request timeouts every connectionsCheckingInterval (30 s by default): 1 s keeps them near their value.
  const server = createServer({ requestTimeout: REQUEST_SECONDS * 1000, headersTimeout: REQUEST_SECONDS * 1000, connectionsCheckingInterval: 1000 }, handle);
  server.maxConnections = MAX_CONNECTIONS;
  return server;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, ipv6Only: host === '::1' }, () => resolve());
  });
}

/**
 * 127.0.0.1 and, where the machine has IPv6, [::1] on the same port. Browsers resolve
 * `*.localhost` to ::1 first and fall back to 127.0.0.1 only when nothing answers there, so a
 * process holding [::1]:<port> would receive the launch link meant for the console: the console
 * holds both, and does not start when another process has either (on port 0: another port).
 */
async function listenOnLoopback(wanted: number, handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<Server[]> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const v4 = newServer(handle);
    await listen(v4, wanted, '127.0.0.1');
    const port = (v4.address() as AddressInfo).port;
    const v6 = newServer(handle);
    try {
      await listen(v6, port, '::1');
      return [v4, v6];
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // No IPv6 loopback here: nobody can listen on it either.
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return [v4];
      await new Promise<void>((resolve) => v4.close(() => resolve()));
      if (code !== 'EADDRINUSE') throw error;
      if (wanted !== 0) throw new Error(`The console cannot use port ${port}: another process listens on [::1]:${port}, where browsers would send its link. Choose another port.`);
    }
  }
  throw new Error('The console found no port free on both 127.0.0.1 and [::1].');
}
