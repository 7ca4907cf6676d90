/**
 * What a misbehaving authorization server costs the service: how long each bad answer holds a
 * call (the deadline, not the server, decides), how many bytes are read before a 50 MB body is
 * refused, how much the heap grows, and what an honest token request costs through the one
 * outbound client (a fresh connection each time) against plain fetch.
 */
import { AddressPolicy } from '../../lib/outbound/address-policy.js';
import { outboundRequest, MAX_RESPONSE_BYTES } from '../../lib/outbound/http-client.js';
import { requestToken } from '../../lib/oauth2/token-endpoint.js';
import { vendorOf } from '../../lib/oauth2/vendors.js';
import { startMisbehavingServer } from '../setup/misbehaving-server.js';

const DEADLINE_MS = 2_000;
const HONEST_CALLS = 200;

export async function benchUpstream(): Promise<string[]> {
  const server = await startMisbehavingServer();
  const policy = new AddressPolicy({ allowLoopback: true, allowedNetworks: [] });
  const vendor = vendorOf('CustomOauth2');
  const client = { clientId: 'bench', clientSecret: 'bench-secret', authentication: 'client_secret_basic' as const };
  const lines = [`upstream client (deadline ${DEADLINE_MS} ms, cap ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB)`, '| token endpoint | result | held the call (ms) | heap growth (MiB) |', '|---|---|---|---|'];
  try {
    for (const path of ['/trickle', '/hang', '/huge', '/huge-chunked', '/endless', '/redirect', '/html-5xx', '/malformed']) {
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const started = process.hrtime.bigint();
      const result = await requestToken(vendor, { authorizationEndpoint: 'x', tokenEndpoint: `${server.base}${path}` }, client, { grant_type: 'client_credentials' }, Date.now, { timeoutMs: DEADLINE_MS, policy });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const grown = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
      lines.push(`| ${path} | ${'error' in result ? result.error : 'token'} | ${ms.toFixed(0)} | ${grown.toFixed(1)} |`);
    }
    const time = async (call: () => Promise<unknown>) => {
      for (let i = 0; i < 20; i++) await call();
      const started = process.hrtime.bigint();
      for (let i = 0; i < HONEST_CALLS; i++) await call();
      return Number(process.hrtime.bigint() - started) / 1e6 / HONEST_CALLS;
    };
    const body = 'grant_type=client_credentials';
    const ours = await time(() => outboundRequest({ url: `${server.base}/ok`, method: 'POST', body, timeoutMs: DEADLINE_MS, policy }));
    const plain = await time(async () => (await fetch(`${server.base}/ok`, { method: 'POST', body })).text());
    lines.push(`honest token request on loopback: ${ours.toFixed(2)} ms through the outbound client (new connection, address checks) vs ${plain.toFixed(2)} ms with fetch (pooled)`);
  } finally {
    await server.stop();
  }
  return lines;
}

if (process.argv[1]?.endsWith('upstream.ts')) {
  benchUpstream().then((lines) => console.log(lines.join('\n')));
}
