import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretValue } from '../setup/clients.js';
import { startMisbehavingServer, type MisbehavingServer } from '../setup/misbehaving-server.js';
import { machineVend, misbehavingProvider } from './misbehaving-provider.js';

/**
 * The vend's whole upstream deadline (10 s), waited out through the official client against the
 * offline stack: `npm run test:long`. The same cut with a 1 s deadline runs in `npm test`
 * (test/integration/outbound.test.ts).
 */
let server: MisbehavingServer;
beforeAll(async () => {
  server = await startMisbehavingServer();
});
afterAll(async () => {
  await server.stop();
});

describe('an M2M vend against a token endpoint that trickles its answer', () => {
  it('is cut off at the deadline: InternalServerException with HTTP 504', async () => {
    const error = await machineVend(await misbehavingProvider(server, `${server.base}/trickle`, secretValue('trickle-client-secret')));
    expect(error.name).toBe('InternalServerException');
    expect(error.$metadata.httpStatusCode).toBe(504);
    expect(error.message).toContain('upstream_timeout');
  }, 25_000);
});
