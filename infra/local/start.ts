import { readFile, rm, writeFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { startConsole } from '../../lib/console/server.js';
import { LOCAL_CREDENTIALS } from '../../lib/console/target.js';
import { interactive, launchLines, reissueOnEnter } from './console-lines.js';
import { choosePort, startStack, type Stack } from './stack.js';

/** Where `npm start` writes the export lines, for a second shell or a script to source. */
const ENV_FILE = process.env.AGENTCORE_LOCAL_ENV_FILE || resolvePath(__dirname, '..', '..', '.agentcore-local.env');
/**
 * moto's port when `npm start` runs it: fixed, so a console or a script that reads the emulator
 * directly keeps working across restarts (LocalStack's port; EMULATOR_PORT=0 picks a free one).
 */
const DEFAULT_EMULATOR_PORT = 4566;

/**
 * The lines a shell, the JS SDK, boto3 and the AWS CLI all read (the CLI and boto3 read
 * AWS_DEFAULT_REGION). Secrets Manager and KMS point at the emulator so that a customer's own
 * secret (an EXTERNAL provider secret) or signing key (PRIVATE_KEY_JWT) is created where the
 * service reads it.
 */
function exportLines(stack: Pick<Stack, 'url' | 'region' | 'emulatorEndpoint'>): string[] {
  return [
    `export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE=${stack.url}`,
    `export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL=${stack.url}`,
    `export AWS_ENDPOINT_URL_SECRETS_MANAGER=${stack.emulatorEndpoint}`,
    `export AWS_ENDPOINT_URL_KMS=${stack.emulatorEndpoint}`,
    `export AWS_REGION=${stack.region} AWS_DEFAULT_REGION=${stack.region} AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}`,
  ];
}

/** `npm start`: the whole service offline, until Ctrl-C or SIGTERM. */
async function main() {
  // Node 20 is this project's development runtime; the SDK's upgrade notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const began = Date.now();
  const port = Number(process.env.PORT ?? 4000);
  const emulatorEndpoint = process.env.AWS_ENDPOINT_URL;
  const stack = await startStack({
    port,
    emulatorEndpoint,
    emulatorPort: emulatorEndpoint ? undefined : await choosePort(process.env.EMULATOR_PORT || DEFAULT_EMULATOR_PORT, 'EMULATOR_PORT', 'the AWS emulator', console.log),
    onOutput: process.env.VERBOSE ? (line) => console.log(`[offline] ${line}`) : undefined,
  });
  // Signed like the printed exports (local/local), whatever credentials this shell holds.
  const operatorConsole = await choosePort(process.env.CONSOLE_PORT || '4001', 'CONSOLE_PORT', 'the console', console.log)
    .then((consolePort) => startConsole({ port: consolePort, endpoint: stack.url, region: stack.region, credentials: LOCAL_CREDENTIALS }))
    .catch(async (error: unknown) => {
      await stack.stop();
      throw error;
    });
  const envFile = `# Written by npm start (${new Date().toISOString()}); removed when it stops. Source it: . ${ENV_FILE}\n${exportLines(stack).join('\n')}\n`;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the offline server and the emulator...`);
    // Another `npm start` may have written the file since: only ours is removed.
    if ((await readFile(ENV_FILE, 'utf8').catch(() => '')) === envFile) await rm(ENV_FILE, { force: true });
    await operatorConsole.close();
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await writeFile(ENV_FILE, envFile);

  console.log(`
AgentCore Identity (offline, stage ${stack.stage}) on ${stack.url}
AWS emulator: ${stack.emulatorEndpoint}  (region ${stack.region}, account ${stack.accountId})

${launchLines(operatorConsole, interactive()).join('\n')}

Point the official clients at it (also written to ${ENV_FILE}):
${exportLines(stack).join('\n')}

Ready in ${((Date.now() - began) / 1000).toFixed(1)} s. Ctrl-C stops everything.`);
  reissueOnEnter(operatorConsole, console.log);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
