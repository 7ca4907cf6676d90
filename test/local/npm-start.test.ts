import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BedrockAgentCoreControlClient, CreateWorkloadIdentityCommand, GetWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { choosePort, freePort, parsePort } from '../../infra/local/stack.js';

const ROOT = resolve(__dirname, '..', '..');

/**
 * A GET to a console URL through 127.0.0.1 with the URL's own Host: Node does not resolve
 * *.localhost names as browsers do, but the console tells names apart by Host alone.
 */
function getVia127(url: string, cookie?: string): Promise<{ status: number; setCookie: string[]; text: string }> {
  const { host, port, pathname, search } = new URL(url);
  return new Promise((done, failed) => {
    const req = request({ host: '127.0.0.1', port, path: pathname + search, headers: { host, ...(cookie ? { cookie } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => done({ status: res.statusCode!, setCookie: res.headers['set-cookie'] ?? [], text }));
    });
    req.on('error', failed);
    req.end();
  });
}

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

      // The console lines: the link on the console's secret *.localhost name, and the same single
      // link on 127.0.0.1 as the fallback; either signs a browser in once, then both are spent.
      const launch = /Operator console: (http:\/\/([0-9a-f]{32}\.localhost):(\d+)\/\?launch=(\S+))/.exec(output)!;
      expect(Number(launch[3])).toBe(consolePort);
      const fallback = /cannot open \*\.localhost names: (http:\/\/127\.0\.0\.1:(\d+)\/\?launch=(\S+))/.exec(output)!;
      expect([Number(fallback[2]), fallback[3]]).toEqual([consolePort, launch[4]]);
      // stdin is not a terminal here: no Enter to offer.
      expect(output).not.toContain('Press Enter');
      const landed = await getVia127(launch[1]!);
      expect(landed.status).toBe(303);
      const cookie = landed.setCookie[0]!.split(';')[0]!;
      const listed = await getVia127(`http://${launch[2]}:${consolePort}/workload-identities`, cookie);
      expect(listed.status).toBe(200);
      expect(listed.text).toContain('started-agent');
      expect((await getVia127(launch[1]!)).status).toBe(403);
      expect((await getVia127(fallback[1]!)).status).toBe(403);

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

  it("keeps a part's fixed port when it is free, and says so when it takes a free one instead", async () => {
    const said: string[] = [];
    const free = await freePort();
    expect(await choosePort(free, 'EMULATOR_PORT', 'the AWS emulator', (line) => said.push(line))).toBe(free);
    expect(await choosePort(0, 'EMULATOR_PORT', 'the AWS emulator', (line) => said.push(line))).toBe(0);
    expect(said).toEqual([]);
    const holder = createServer();
    const taken = await new Promise<number>((done) => holder.listen(0, '127.0.0.1', () => done((holder.address() as { port: number }).port)));
    try {
      expect(await choosePort(String(taken), 'CONSOLE_PORT', 'the console', (line) => said.push(line))).toBe(0);
      expect(said).toEqual([`Port ${taken} is taken: the console gets a free port instead (set CONSOLE_PORT to choose one).`]);
    } finally {
      await new Promise((done) => holder.close(done));
    }
    for (const bad of ['x', '70000', '-1', '4566.5', '', ' ']) {
      await expect(choosePort(bad, 'EMULATOR_PORT', 'the AWS emulator', () => undefined)).rejects.toThrow(`EMULATOR_PORT must be a port number (0 for a free one), not "${bad}"`);
      expect(() => parsePort(bad, '--port')).toThrow(`--port must be a port number (0 for a free one), not "${bad}"`);
    }
    expect(parsePort('4001', '--port')).toBe(4001);
  });
});
