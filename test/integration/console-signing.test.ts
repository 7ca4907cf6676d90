import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListWorkloadIdentitiesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { consoleApi } from '../../lib/console/target.js';

/**
 * What the console sends a deployment: SigV4 for `execute-api` (API Gateway's IAM authorizer),
 * from both of its clients, with the operator's own key and never its secret. A loopback server
 * stands in for API Gateway and records each request's Authorization header.
 */
let server: Server;
let endpoint: string;
const seen: string[] = [];
const credentials = { accessKeyId: 'AKIACONSOLESIGNING01', secretAccessKey: 'console-signing-secret-never-sent' };

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(`${request.url} ${request.headers.authorization ?? ''} ${request.headers['x-amz-security-token'] ?? ''}`);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(request.url?.startsWith('/extensions/') ? '{"connections":[]}' : '{"workloadIdentities":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the console signing its calls', () => {
  it('signs the control client and the user-connections client for execute-api with the given key', async () => {
    const api = await consoleApi({ endpoint, region: 'eu-west-3', credentials });
    await api.control.send(new ListWorkloadIdentitiesCommand({}));
    await api.connections.listUserConnections({ userId: 'someone' });
    expect(seen).toHaveLength(2);
    for (const line of seen) {
      expect(line).toMatch(/Credential=AKIACONSOLESIGNING01\/\d{8}\/eu-west-3\/execute-api\/aws4_request/);
      expect(line).not.toContain(credentials.secretAccessKey);
    }
  });
});
