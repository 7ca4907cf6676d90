import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENTS } from '../setup/authorization-server.js';

/**
 * Runs after the whole suite: reads everything it printed (the offline server with its handlers'
 * logs, the test workers, console output) and looks for every secret value the tests handed the
 * service and for any workload access token.
 */
const dir = process.env.AGENTCORE_TEST_RUN_DIR!;
const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : '');
// Every WAT begins with the same encoded header up to its key id.
const WAT_PREFIX = Buffer.from('{"typ":"wat+jwt","alg":"HS256","kid":"').toString('base64url').slice(0, 48);

describe('what the suite logged', () => {
  const output = ['offline.log', 'workers.log', 'console.log'].map(read).join('\n');
  // Every secret value and token the tests handed over or received, and the test OAuth clients' secrets.
  const secrets = [...read('secrets.txt').split('\n').filter(Boolean), ...Object.values(CLIENTS).map((c) => c.client_secret)];

  it('is there to check: the handlers logged and the tests handed over secrets', () => {
    expect(output).toContain('"message":"audit"');
    expect(output).toContain('"outcome":"success"');
    expect(secrets.length).toBeGreaterThan(20);
  });

  it('holds no API key or other secret value', () => {
    const leaked = secrets.filter((secret) => output.includes(secret));
    expect(leaked.length, `${leaked.length} secret values appear in the logs`).toBe(0);
  });

  it('holds no workload access token', () => {
    expect(output.includes(WAT_PREFIX), 'a workload access token appears in the logs').toBe(false);
  });
});
