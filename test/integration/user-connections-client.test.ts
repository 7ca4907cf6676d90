import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userConnectionsClient, type UserConnectionsError } from '../../lib/user-connections/client.js';

/**
 * The extension client's transport against servers of its own on loopback: a redirect is never
 * followed (the signed request would go elsewhere), and a service that does not answer, or stops
 * halfway through its answer, fails the call when the timeout runs out.
 */
const credentials = { accessKeyId: 'AKIACLIENTTEST000001', secretAccessKey: 'client-test-secret' };
const servers: Server[] = [];
const reached: string[] = [];

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failureOf(call: Promise<unknown>): Promise<UserConnectionsError & { name: string }> {
  try {
    await call;
  } catch (error) {
    return error as UserConnectionsError;
  }
  throw new Error('the call succeeded');
}

let elsewhere = '';
let silent = '';
let stalling = '';

beforeAll(async () => {
  elsewhere = await serve((request, response) => {
    reached.push(`${request.method} ${request.url} ${request.headers.authorization ? 'signed' : 'unsigned'}`);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"userConnections":[]}');
  });
  // Reads the request, never answers.
  silent = await serve((request) => void request.resume());
  // Answers its headers, then never finishes the body.
  stalling = await serve((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"userConnections":[');
  });
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

describe('the user connections client', () => {
  it('refuses every redirect instead of re-sending the signed request elsewhere', async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      const server = await serve((request, response) => {
        request.resume();
        response.writeHead(status, { location: `${elsewhere}/extensions/ListUserConnections` }).end();
      });
      const client = userConnectionsClient({ endpoint: server, region: 'us-east-1', credentials });
      const error = await failureOf(client.listUserConnections({ userId: 'grace' }));
      expect([error.name, error.$metadata.httpStatusCode], String(status)).toEqual(['UnexpectedRedirect', status]);
      expect(error.message).not.toContain(credentials.secretAccessKey);
    }
    expect(reached).toEqual([]);
    // The server it pointed at works when called directly: only the redirect was refused.
    expect(await userConnectionsClient({ endpoint: elsewhere, region: 'us-east-1', credentials }).listUserConnections({ userId: 'grace' })).toEqual({ userConnections: [] });
    expect(reached).toEqual(['POST /extensions/ListUserConnections signed']);
  });

  it('gives up on a service that never answers, or stops halfway through its answer, when the timeout runs out', async () => {
    for (const endpoint of [silent, stalling]) {
      const client = userConnectionsClient({ endpoint, region: 'us-east-1', credentials, timeoutMs: 200 });
      const error = await failureOf(client.revokeUserConnection({ userId: 'grace', workloadName: 'agent', credentialProviderName: 'github' }));
      expect(error.name, endpoint).toBe('TimeoutError');
    }
  });
});
