import { spawn, type ChildProcess } from 'node:child_process';
import { outputLines } from './output-lines.js';

/** A moto server on a free loopback port: DynamoDB, Secrets Manager, KMS, EventBridge and STS. */
export interface Emulator {
  endpoint: string;
  /** The emulator's process id, for fault tests that pause it (SIGSTOP) and resume it (SIGCONT). */
  pid: number;
  stop(): Promise<void>;
}

export const MOTO_INSTALL_HINT =
  'The offline stack needs the moto emulator: pip install "moto[server]" (or point AWS_ENDPOINT_URL at a running emulator such as LocalStack).';

/**
 * moto's own server, one request at a time. DynamoDB applies each conditional write atomically;
 * moto's threaded server does not (two UpdateItems conditioned on one version can both succeed
 * when they arrive together), which would let two refreshers both take a refresh lock, or two
 * taggers both write. Python's GIL serializes moto's work anyway, so this costs little.
 */
const SERIALIZED_MOTO = [
  'import sys, threading',
  'from moto import server',
  'from moto.moto_server.werkzeug_app import DomainDispatcherApplication',
  'lock = threading.Lock()',
  'dispatch = DomainDispatcherApplication.__call__',
  'def serialized(self, environ, start_response):',
  '    with lock:',
  '        return list(dispatch(self, environ, start_response))',
  'DomainDispatcherApplication.__call__ = serialized',
  'server.main(sys.argv[1:])',
].join('\n');

/**
 * `port` 0 (the default) picks a free one, so parallel stacks never collide. `accountId`, when
 * given, is the account moto answers for (MOTO_ACCOUNT_ID), known before moto is up.
 */
export async function startEmulator(port = 0, accountId?: string): Promise<Emulator> {
  const python = process.env.PYTHON ?? 'python3';
  const child = spawn(python, ['-c', SERIALIZED_MOTO, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...(accountId ? { MOTO_ACCOUNT_ID: accountId } : {}) },
  });
  let onData: ((chunk: Buffer) => void) | undefined;
  const endpoint = await new Promise<string>((resolve, reject) => {
    // Line by line: the emulator logs every request, and only its start-up lines matter here.
    const lines = outputLines((line) => {
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match) resolve(match[1]!);
      if (/No module named moto/.test(line)) reject(new Error(MOTO_INSTALL_HINT));
    });
    onData = (chunk: Buffer) => lines.push(chunk);
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (error) => reject(new Error(`${python} could not be started (${error.message}). ${MOTO_INSTALL_HINT}`)));
    child.once('exit', (code) => reject(new Error(`moto exited with code ${code}: ${lines.tail().slice(-500)}\n${MOTO_INSTALL_HINT}`)));
    setTimeout(() => reject(new Error(`moto did not start within 20 s: ${lines.tail().slice(-500)}`)), 20_000).unref();
  }).catch(async (error) => {
    await stopChild(child);
    throw error;
  });
  // From here on its request log is drained unread, so the pipe never fills up and stalls it.
  child.stdout!.off('data', onData!);
  child.stderr!.off('data', onData!);
  child.stdout!.resume();
  child.stderr!.resume();
  return { endpoint, pid: child.pid!, stop: () => stopChild(child) };
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
