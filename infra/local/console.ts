import { parseArgs } from 'node:util';
import { startConsole } from '../../lib/console/server.js';
import { interactive, launchLines, reissueOnEnter } from './console-lines.js';
import { parsePort, portIsFree } from './stack.js';

/**
 * `npm run console [-- --port 4001] [--endpoint https://…execute-api… --region eu-west-1]`: the
 * operator console on 127.0.0.1, against the offline server by default, signed with the
 * operator's credentials from the standard AWS chain.
 */
async function main() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({ options: { port: { type: 'string', default: process.env.CONSOLE_PORT || '4001' }, endpoint: { type: 'string' }, region: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('npm run console -- [--port 4001] [--endpoint <API URL> --region <region>]\nDefault: the offline server (npm start) at http://127.0.0.1:${PORT:-4000}, region $AWS_REGION or us-east-1.');
    return;
  }
  const port = parsePort(values.port, '--port');
  if (port !== 0 && !(await portIsFree(port))) throw new Error(`Port ${port} is taken (another console? npm start runs one): choose another with --port.`);
  const endpoint = values.endpoint ?? `http://127.0.0.1:${process.env.PORT ?? 4000}`;
  // A deployment's region is part of its signature: never guessed for one.
  const region = values.region || process.env.AWS_REGION || (values.endpoint ? undefined : 'us-east-1');
  if (!region) throw new Error('--region is required with --endpoint (the region the API is deployed in), unless AWS_REGION is set.');
  const console_ = await startConsole({ port, endpoint, region });
  const stop = () => void console_.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log([`AgentCore Identity console for ${endpoint} (${region})`, ...launchLines(console_, interactive()), 'Ctrl-C stops it.'].join('\n'));
  reissueOnEnter(console_, console.log);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
