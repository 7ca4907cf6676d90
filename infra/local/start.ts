import { startStack } from './stack.js';

/** `npm start`: the whole service offline, until Ctrl-C or SIGTERM. */
async function main() {
  // Node 20 is this project's development runtime; the SDK's upgrade notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const began = Date.now();
  const port = Number(process.env.PORT ?? 4000);
  const stack = await startStack({
    port,
    emulatorEndpoint: process.env.AWS_ENDPOINT_URL,
    onOutput: process.env.VERBOSE ? (line) => console.log(`[offline] ${line}`) : undefined,
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the offline server and the emulator...`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  console.log(`
AgentCore Identity (offline, stage ${stack.stage}) on ${stack.url}
AWS emulator: ${stack.emulatorEndpoint}  (region ${stack.region}, account ${stack.accountId})

Point the official clients at it:
export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE=${stack.url}
export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL=${stack.url}
export AWS_REGION=${stack.region} AWS_DEFAULT_REGION=${stack.region} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local

Ready in ${((Date.now() - began) / 1000).toFixed(1)} s. Ctrl-C stops everything.`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
