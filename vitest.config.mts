import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The SDK's notice about Node 20 is noise in test output (the global setup runs here too).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// One folder per run for everything the suite prints and every secret it hands the service,
// read at the end by the log-hygiene project.
const runDir = (process.env.AGENTCORE_TEST_RUN_DIR ??= mkdtempSync(join(tmpdir(), 'agentcore-identity-run-')));

/**
 * Suites that are long by nature (load, races, injected faults; 15-60 s each on 2 cores):
 * `npm run test:long`, not `npm test`. test/faults holds AWS faults, torn writes at every AWS
 * call, and the refresh protocol against a slow authorization server. The `npm start` test starts
 * a second whole stack (moto, `osls print`, offline bundling: about 15 s of CPU on its own).
 */
const LONG = ['test/api/fuzz.test.ts', 'test/api/concurrent-updates.test.ts', 'test/api/upstream-deadline.test.ts', 'test/api/parity-boto3.test.ts', 'test/api/consent-portals-browser.test.ts', 'test/api/console-browser.test.ts', 'test/api/authorization-strict.test.ts', 'test/faults/**/*.test.ts', 'test/local/npm-start.test.ts'];

/**
 * Files that need neither the offline stack nor the emulator (the contract, the template, HTTP
 * against servers of their own on loopback): without the global setup, one of them run alone
 * takes seconds instead of waiting for the stack to start.
 */
const STANDALONE = [
  'test/contract/**/*.test.ts',
  'test/infra/**/*.test.ts',
  'test/local/output-lines.test.ts',
  'test/integration/outbound.test.ts',
  'test/integration/revocation.test.ts',
  'test/integration/user-tokens.test.ts',
  'test/integration/vendors.test.ts',
  'test/integration/console-signing.test.ts',
  'test/integration/console-loopback.test.ts',
  'test/integration/user-connections-client.test.ts',
];

/**
 * API files whose assertions need the offline server's function containers to themselves: an
 * M2M token cached in the container that served the previous vend, 20 warmed containers for a
 * refresh storm. Beside another API file, that file's requests may take those containers; so
 * each runs in a group of its own after the side-by-side API files (the first beside the
 * standalone files, which do not call the offline server), on the same stack (global-stack.ts).
 */
const SERIAL = ['test/api/oauth2.test.ts', 'test/api/oauth2-faults.test.ts'];

/** The offline stack (moto + serverless-offline) every API and integration test talks to. */
const withStack = { globalSetup: ['test/setup/global-stack.ts'], setupFiles: ['test/setup/capture-output.ts', 'test/setup/deployment-policy.ts'] };

/*
 * The pyramid, one project per layer:
 * - unit: domain rules on in-memory stores (test/fakes) and pure functions; no emulator, no
 *   server, no socket. `npm run test:unit`, seconds.
 * - api: the official clients over HTTP against the offline stack, handlers in process against
 *   the emulator, OAuth flows against servers started on loopback. `npm test`.
 * - api-serial, api-serial-2: the API files that need the stack to themselves (SERIAL), each in
 *   a group of its own after the api files, on their stack. `npm test`.
 * - standalone: what needs no stack (STANDALONE). `npm test`.
 * - long: the long-by-nature suites. `npm run test:long`.
 * - hygiene: reads what the others printed, so it runs last in both commands.
 * A bare `vitest run` runs them all (and starts one stack for api and api-serial, one for long).
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default on 2 cores is one worker, one file at a time; but most files mostly wait
    // (on the offline server, moto, loopback servers), so a few files at once fill the cores.
    maxWorkers: 4,
    // Handlers run in process here talk to loopback test servers, as the offline server's do.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ALLOW_LOOPBACK_ENDPOINTS: 'true' },
    onConsoleLog(log) {
      appendFileSync(join(runDir, 'console.log'), log);
    },
    projects: [
      {
        extends: true,
        // What handlers log here is captured too: the hygiene project reads it after `npm test`.
        // In `npm test` the unit files run after the API files, on cores of their own: their time
        // bound (5 s) is theirs, not shared with workers driving the stack.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: ['test/setup/capture-output.ts', 'test/setup/deployment-policy.ts'], testTimeout: 5_000, sequence: { groupOrder: 3 } },
      },
      {
        extends: true,
        test: {
          name: 'api',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', 'test/hygiene/**', ...STANDALONE, ...SERIAL, ...LONG],
          ...withStack,
        },
      },
      ...SERIAL.map((file, i) => ({
        extends: true as const,
        test: { name: i === 0 ? 'api-serial' : `api-serial-${i + 1}`, include: [file], sequence: { groupOrder: 1 + i }, ...withStack },
      })),
      {
        extends: true,
        test: { name: 'standalone', include: STANDALONE, setupFiles: ['test/setup/capture-output.ts', 'test/setup/deployment-policy.ts'], sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        // One file at a time, as ever: these suites load the machine and time themselves against it.
        test: { name: 'long', include: LONG, maxWorkers: 1, sequence: { groupOrder: 4 }, ...withStack },
      },
      {
        extends: true,
        // Runs after the suites whose output it reads, while their offline stack is still up.
        test: { name: 'hygiene', include: ['test/hygiene/**/*.test.ts'], sequence: { groupOrder: 5 } },
      },
    ],
  },
});
