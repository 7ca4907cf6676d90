import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * An authorization server that does everything wrong, one behaviour per path, on 127.0.0.1 port
 * 0: for the upstream client's deadline, size cap, redirect and redaction rules. `requests`
 * counts what reached it (a refused address must leave it at 0).
 */
export interface MisbehavingServer {
  base: string;
  requests: { path: string; body: string; authorization?: string }[];
  stop(): Promise<void>;
}

const MIB = 1024 * 1024;

export async function startMisbehavingServer(): Promise<MisbehavingServer> {
  const requests: MisbehavingServer['requests'] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      requests.push({ path, body, authorization: request.headers.authorization });
      behave(path, body, request, response);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function every(ms: number, fn: () => void) {
    const timer = setInterval(fn, ms);
    timers.add(timer);
    return timer;
  }

  function behave(path: string, body: string, request: IncomingMessage, response: ServerResponse) {
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    switch (path) {
      case '/ok':
        return json(200, { access_token: 'fine-token', token_type: 'Bearer', expires_in: 300 });
      case '/trickle': {
        // Headers at once, then one byte of a valid-looking token response at a time, forever.
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"access_token":"');
        const timer = every(100, () => response.write('a'));
        response.on('close', () => clearInterval(timer));
        return;
      }
      case '/endless': {
        // A body that never ends, as fast as the client reads it, without a length.
        response.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        const pump = () => {
          while (!response.destroyed && response.write(chunk));
        };
        response.on('drain', pump);
        pump();
        return;
      }
      case '/huge': {
        // 50 MB, announced in Content-Length.
        const size = 50 * MIB;
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(size) });
        const chunk = Buffer.alloc(MIB, 'a');
        let sent = 0;
        const pump = () => {
          while (!response.destroyed && sent < size) {
            sent += chunk.length;
            if (!response.write(chunk)) return;
          }
          if (sent >= size) response.end();
        };
        response.on('drain', pump);
        pump();
        return;
      }
      case '/huge-chunked': {
        // 50 MB of a JSON access token, chunked (no length to refuse up front).
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"token_type":"Bearer","expires_in":300,"access_token":"');
        const chunk = Buffer.alloc(MIB, 'a');
        let sent = 0;
        const pump = () => {
          while (!response.destroyed && sent < 50) {
            sent++;
            if (!response.write(chunk)) return;
          }
          if (sent >= 50) response.end('"}');
        };
        response.on('drain', pump);
        pump();
        return;
      }
      case '/large-token':
        // 300 KiB: under the 1 MiB any document may have, over what a vault binding can hold.
        return json(200, { access_token: 'a'.repeat(300 * 1024), token_type: 'Bearer', expires_in: 300 });
      case '/echo':
        // Repeats the request in its error description: the body and the Authorization header.
        return json(400, { error: 'invalid_client', error_description: `got ${body} with authorization ${request.headers.authorization ?? 'none'}` });
      case '/echo-code':
        // Puts the request body in the error code itself.
        return json(400, { error: body, error_description: 'see error' });
      case '/redirect':
        response.writeHead(307, { location: 'http://10.0.0.1/token' });
        return response.end();
      case '/redirect-metadata':
        response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        return response.end();
      case '/html-5xx':
        response.writeHead(502, { 'content-type': 'text/html' });
        return response.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      case '/server-error':
        return json(500, { error: 'server_error', error_description: 'the database is down' });
      case '/unavailable':
        return json(503, { error: 'temporarily_unavailable' });
      case '/malformed':
        response.writeHead(200, { 'content-type': 'application/json' });
        return response.end('{"access_token": "unterminated');
      case '/no-token':
        return json(200, { token_type: 'Bearer' });
      case '/hang':
        // Reads the request and never answers.
        return;
      case '/cut':
        // Announces a body and closes the connection half way.
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        response.write('{"access_token":"abc');
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      case '/.well-known/openid-configuration': {
        const base = `http://${request.headers.host}`;
        return json(200, { issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token` });
      }
      default:
        return json(404, { error: 'not_found' });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
