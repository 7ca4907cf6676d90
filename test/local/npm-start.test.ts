import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BedrockAgentCoreControlClient, CreateWorkloadIdentityCommand, GetWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { chooseEmulatorPort, freePort } from '../../infra/local/stack.js';

const ROOT = resolve(__dirname, '..', '..');

function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });
}

describe('npm start', () => {
  it('serves the API offline with its console, prints the endpoint exports, writes them to a file, and stops every child on SIGTERM', async () => {
    const port = await freePort();
    // The interactive default (4566) is fixed; a test names its own free port so that it never
    // collides with a developer's `npm start` or a parallel run, and still checks the port is obeyed.
    const emulatorPort = await freePort();
    const consolePort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'npm-start-'));
    const envFile = join(dir, 'agentcore-local.env');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_ENDPOINT_URL')));
    const child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { ...env, PORT: String(port), EMULATOR_PORT: String(emulatorPort), CONSOLE_PORT: String(consolePort), AGENTCORE_LOCAL_ENV_FILE: envFile },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    try {
      await new Promise<void>((ready, failed) => {
        const timer = setInterval(() => /Ready in/.test(output) && (clearInterval(timer), ready()), 100);
        child.once('exit', (code) => (clearInterval(timer), failed(new Error(`npm start exited (${code}): ${output}`))));
      });
      const url = `http://127.0.0.1:${port}`;
      expect(output).toContain(`export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE=${url}`);
      expect(output).toContain(`export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL=${url}`);
      expect(output).toMatch(/export AWS_REGION=\S+ AWS_DEFAULT_REGION=\S+ AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local/);
      const emulator = /AWS emulator: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
      expect(emulator).toBe(`http://127.0.0.1:${emulatorPort}`);
      expect(output).toContain(`export AWS_ENDPOINT_URL_SECRETS_MANAGER=${emulator}`);
      expect(output).toContain(`export AWS_ENDPOINT_URL_KMS=${emulator}`);
      // The file holds exactly the printed export lines, for `. ./.agentcore-local.env`.
      const fileExports = readFileSync(envFile, 'utf8').split('\n').filter((line) => line.startsWith('export '));
      expect(fileExports).toHaveLength(5);
      for (const line of fileExports) expect(output).toContain(line);
      const seconds = Number(/Ready in ([\d.]+) s/.exec(output)![1]);
      expect(seconds).toBeGreaterThan(0);

      // The client finds the service through the printed environment variable alone.
      process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL = url;
      try {
        const client = new BedrockAgentCoreControlClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
        await client.send(new CreateWorkloadIdentityCommand({ name: 'started-agent' }));
        expect((await client.send(new GetWorkloadIdentityCommand({ name: 'started-agent' }))).name).toBe('started-agent');
      } finally {
        delete process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL;
      }

      // The console line: its launch link signs a browser in once, and the console sees the same stack.
      const launch = /Operator console: (http:\/\/127\.0\.0\.1:(\d+)\/\?launch=\S+)/.exec(output)!;
      expect(Number(launch[2])).toBe(consolePort);
      const landed = await fetch(launch[1]!, { redirect: 'manual' });
      expect(landed.status).toBe(303);
      const cookie = landed.headers.getSetCookie()[0]!.split(';')[0]!;
      const listed = await fetch(`http://127.0.0.1:${consolePort}/workload-identities`, { headers: { cookie } });
      expect(listed.status).toBe(200);
      expect(await listed.text()).toContain('started-agent');
      expect((await fetch(launch[1]!, { redirect: 'manual' })).status).toBe(403);

      const exited = new Promise<number | null>((done) => child.once('exit', done));
      // SIGTERM to npm alone: it must reach the service, which takes its children down with it.
      child.kill('SIGTERM');
      await exited;
      // npm may return before its child has finished shutting down: wait for the ports to close.
      await expect.poll(() => portOpen(url), { timeout: 10_000, interval: 200 }).toBe(false);
      await expect.poll(() => portOpen(emulator), { timeout: 10_000, interval: 200 }).toBe(false);
      await expect.poll(() => portOpen(`http://127.0.0.1:${consolePort}`), { timeout: 10_000, interval: 200 }).toBe(false);
      // Stale endpoints would point the next script at nothing: the file goes with the service.
      expect(existsSync(envFile)).toBe(false);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it("keeps the emulator's fixed port when it is free, and says so when it takes a free one instead", async () => {
    const said: string[] = [];
    const free = await freePort();
    expect(await chooseEmulatorPort(free, (line) => said.push(line))).toBe(free);
    expect(await chooseEmulatorPort(0, (line) => said.push(line))).toBe(0);
    expect(said).toEqual([]);
    const holder = createServer();
    const taken = await new Promise<number>((done) => holder.listen(0, '127.0.0.1', () => done((holder.address() as { port: number }).port)));
    try {
      expect(await chooseEmulatorPort(taken, (line) => said.push(line))).toBe(0);
      expect(said).toEqual([expect.stringContaining(`Port ${taken} is taken`)]);
    } finally {
      await new Promise((done) => holder.close(done));
    }
    for (const bad of ['x', '70000', '-1', '4566.5']) {
      await expect(chooseEmulatorPort(bad, () => undefined)).rejects.toThrow(`EMULATOR_PORT must be a port number (0 for a free one), not "${bad}"`);
    }
  });
});
