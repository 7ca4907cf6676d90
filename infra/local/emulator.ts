import { spawn, type ChildProcess } from 'node:child_process';

/** A moto server on a free loopback port: DynamoDB, Secrets Manager, KMS, EventBridge and STS. */
export interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

export const MOTO_INSTALL_HINT =
  'The offline stack needs the moto emulator: pip install "moto[server]" (or point AWS_ENDPOINT_URL at a running emulator such as LocalStack).';

export async function startEmulator(): Promise<Emulator> {
  const python = process.env.PYTHON ?? 'python3';
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]!);
      if (/No module named moto/.test(output)) reject(new Error(MOTO_INSTALL_HINT));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (error) => reject(new Error(`${python} could not be started (${error.message}). ${MOTO_INSTALL_HINT}`)));
    child.once('exit', (code) => reject(new Error(`moto exited with code ${code}: ${output.slice(-500)}\n${MOTO_INSTALL_HINT}`)));
    setTimeout(() => reject(new Error(`moto did not start within 20 s: ${output.slice(-500)}`)), 20_000).unref();
  }).catch(async (error) => {
    await stopChild(child);
    throw error;
  });
  // Keep draining its request log so the pipe never fills up and stalls the emulator.
  child.stdout!.resume();
  child.stderr!.resume();
  return { endpoint, stop: () => stopChild(child) };
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}
