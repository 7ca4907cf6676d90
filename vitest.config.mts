import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The SDK's notice about Node 20 is noise in test output (the global setup runs here too).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// One folder per run for everything the suite prints and every secret it hands the service,
// read at the end by the log-hygiene project.
const runDir = (process.env.AGENTCORE_TEST_RUN_DIR ??= mkdtempSync(join(tmpdir(), 'agentcore-identity-run-')));

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Handlers run in process here talk to loopback test servers, as the offline server's do.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ALLOW_LOOPBACK_ENDPOINTS: 'true' },
    onConsoleLog(log) {
      appendFileSync(join(runDir, 'console.log'), log);
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/hygiene/**'],
          globalSetup: ['test/setup/global-stack.ts'],
          setupFiles: ['test/setup/capture-output.ts'],
        },
      },
      {
        extends: true,
        // Runs after the whole suite, while its offline stack is still up.
        test: { name: 'hygiene', include: ['test/hygiene/**/*.test.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
