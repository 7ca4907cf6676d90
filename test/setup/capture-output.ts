import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Everything a test worker writes (handlers run in process log through their own console on
 * process.stdout) also goes to the run's capture file, for the log-hygiene check.
 */
const file = join(process.env.AGENTCORE_TEST_RUN_DIR!, 'workers.log');
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    appendFileSync(file, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array));
    return write(chunk, ...rest);
  }) as typeof stream.write;
}
