import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { CLIENTS } from '../setup/authorization-server.js';
import { secretValue, stack } from '../setup/clients.js';
import { cleanUpFuzz, fuzzRequests, histogram, prepareFuzzTargets, runFuzz, type FuzzTargets } from '../bench/fuzz.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000);
let targets: FuzzTargets | undefined;

afterAll(async () => {
  if (targets) await cleanUpFuzz(stack.url, targets.prefix);
}, 120_000);

describe('fuzzing every operation, the OAuth2 callback and unknown paths over raw HTTP', () => {
  it(`answers ${REQUESTS} malformed requests (seed ${SEED}) without a 500, and every 4xx names its error type`, async () => {
    const authorizationServer = inject('authorizationServer');
    targets = await prepareFuzzTargets(stack.url, {
      tag: randomBytes(3).toString('hex'),
      authorizationServer: { issuer: authorizationServer.issuer, clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret },
      secret: secretValue,
    });
    const outcome = await runFuzz(stack.url, fuzzRequests(SEED, REQUESTS, targets), 8);
    console.log(`fuzz: ${outcome.requests} requests; ${histogram(outcome)}`);
    expect(outcome.requests).toBe(REQUESTS);
    // Both lists name each offending request, so that a failure says what to fix.
    expect({ serverErrors: outcome.serverErrors, missingErrorType: outcome.missingErrorType }).toEqual({ serverErrors: [], missingErrorType: [] });
    // Every mutation kind was sent, and most requests were refused as the client's fault.
    expect(Object.keys(outcome.byKind).length).toBeGreaterThanOrEqual(12);
    const fourXX = Object.entries(outcome.byStatus).filter(([s]) => s.startsWith('4')).reduce((n, [, c]) => n + c, 0);
    expect(fourXX).toBeGreaterThan(REQUESTS / 2);
  }, 180_000);
});
