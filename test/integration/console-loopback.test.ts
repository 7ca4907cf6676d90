import { afterAll, describe, expect, it } from 'vitest';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListWorkloadIdentitiesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { startConsole } from '../../lib/console/server.js';
import { consoleApi } from '../../lib/console/target.js';
import { freePort } from '../../infra/local/stack.js';

/**
 * Where the console listens and how long it waits: browsers resolve `*.localhost` to ::1 before
 * 127.0.0.1, so the console holds [::1] on its port too, and another process holding it there
 * (which would receive the launch link) keeps the console from starting on that port.
 */
const credentials = { accessKeyId: 'AKIACONSOLELOOPBACK1', secretAccessKey: 'console-loopback-secret' };
const opened: Server[] = [];
afterAll(() => Promise.all(opened.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))));

function listen(host: string, port: number, handler: Parameters<typeof createServer>[1] = (_q, r) => r.end('not the console')): Promise<Server> {
  const server = createServer(handler);
  opened.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, ipv6Only: host === '::1' }, () => resolve(server));
  });
}

/** A GET on [::1] as a browser sends it for the console's *.localhost name. */
function getOnIpv6(port: number, path: string, host: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '::1', port, path, headers: { host } }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, location: response.headers.location });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the console on loopback', () => {
  it('answers on [::1] as on 127.0.0.1, for its own name', async () => {
    const running = await startConsole({ port: 0, endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials });
    try {
      const url = new URL(running.launchUrl);
      expect((await getOnIpv6(Number(url.port), `${url.pathname}${url.search}`, url.host)).status).toBe(303);
      expect((await getOnIpv6(Number(url.port), '/', `evil.example:${url.port}`)).status).toBe(403);
    } finally {
      await running.close();
    }
  });

  it('does not start on a port another process holds on [::1], where the launch link would go', async () => {
    const port = await freePort();
    await listen('::1', port);
    await expect(startConsole({ port, endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials })).rejects.toThrow(`[::1]:${port}`);
  });

  it('gives up on a service that never answers', async () => {
    const silent = await listen('127.0.0.1', 0, () => undefined);
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const api = await consoleApi({ endpoint, region: 'us-east-1', credentials, timeoutMs: 200 });
    await expect(api.control.send(new ListWorkloadIdentitiesCommand({}))).rejects.toThrow();
    await expect(api.connections.listUserConnections({ userId: 'someone' })).rejects.toThrow();
    silent.closeAllConnections();
  });
});
