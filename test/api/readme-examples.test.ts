import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { stack } from '../setup/clients.js';

/**
 * The README's client examples, taken from README.md itself so that the two cannot drift, run as
 * a new user runs them: the export lines sourced by a shell, then `node demo.mjs` or
 * `python3 demo.py`, twice in a row (a second run must find its resources in place).
 */
const ROOT = resolve(__dirname, '..', '..');
const run = promisify(execFile);

interface Block {
  lang: string;
  code: string;
}

function sectionBlocks(readme: string, from: string, to: string): Block[] {
  const start = readme.indexOf(from);
  const end = readme.indexOf(to, start);
  if (start < 0 || end < 0) throw new Error(`README.md lacks the section between "${from}" and "${to}"`);
  return [...readme.slice(start, end).matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pointing = sectionBlocks(readme, '## Pointing a client at it', '## From Python');
const fromPython = sectionBlocks(readme, '## From Python', '\n## ');
const shell = pointing.filter((b) => b.lang === 'sh');
const sourceStep = shell.find((b) => b.code.startsWith('. '))!.code;
const exportsBlock = shell.find((b) => b.code.startsWith('export '))!.code;
const cliBlocks = shell.filter((b) => b.code.startsWith('aws '));
const jsBlocks = pointing.filter((b) => b.lang === 'js');
const pythonBlocks = [...pointing, ...fromPython].filter((b) => b.lang === 'python');

/** The README's export lines with the example endpoints replaced by the test stack's. */
const envFileText = exportsBlock
  .replaceAll('http://127.0.0.1:4000', stack.url)
  .replaceAll('http://127.0.0.1:4566', stack.emulatorEndpoint)
  .replaceAll('us-east-1', stack.region);

// Inside the repository, so that `import '@aws-sdk/...'` resolves from its node_modules as the
// README says (ES modules ignore NODE_PATH); .esbuild/ is ignored by git.
mkdirSync(join(ROOT, '.esbuild'), { recursive: true });
const dir = mkdtempSync(join(ROOT, '.esbuild', 'readme-examples-'));
writeFileSync(join(dir, '.agentcore-local.env'), envFileText);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A shell with nothing of the test's AWS settings, the README's source step, then the command. */
async function asAUser(command: string): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && k !== 'OPENAI_KEY'));
  const { stdout } = await run('sh', ['-c', `${sourceStep}\n${command}`], { cwd: dir, env, timeout: 60_000 });
  return stdout.trim();
}

const MEMBERS_OF_CREATE_API_KEY_PROVIDER =
  'import botocore.session as s; print(",".join(s.get_session().get_service_model("bedrock-agentcore-control").operation_model("CreateApiKeyCredentialProvider").input_shape.members))';

const boto3Missing = await run('python3', ['-c', 'import boto3']).then(
  () => undefined,
  (error: Error) => error.message,
);
const awsCliMissing = await run('aws', ['--version']).then(
  () => undefined,
  (error: Error) => error.message,
);
if (awsCliMissing) console.warn(`Skipping the README's AWS CLI example: the aws command cannot be run. ${awsCliMissing}`);
if (boto3Missing) console.warn(`Skipping the README's Python examples: boto3 cannot be imported (pip install "boto3==1.43.107"). ${boto3Missing}`);

describe("the README's client examples", () => {
  it('has the blocks this test runs (a JS demo, a Python demo, the Python own-secret demo, the export lines)', () => {
    expect(jsBlocks).toHaveLength(1);
    expect(cliBlocks).toHaveLength(1);
    expect(pythonBlocks).toHaveLength(2);
    for (const name of ['AWS_ENDPOINT_URL_BEDROCK_AGENTCORE=', 'AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL=', 'AWS_REGION=', 'AWS_DEFAULT_REGION=', 'AWS_ACCESS_KEY_ID=', 'AWS_SECRET_ACCESS_KEY=']) {
      expect(exportsBlock).toContain(name);
    }
    // Every example endpoint was replaced: nothing points at a port the test stack does not use.
    const ports = [...envFileText.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => m[1]);
    expect(new Set(ports)).toEqual(new Set([new URL(stack.url).port, new URL(stack.emulatorEndpoint).port]));
  });

  it('runs demo.mjs as written, twice', async () => {
    writeFileSync(join(dir, 'demo.mjs'), jsBlocks[0]!.code);
    for (const round of [1, 2]) {
      expect(await asAUser('node demo.mjs'), `run ${round}`).toBe('vended sk-d...');
    }
  }, 60_000);

  it.skipIf(boto3Missing)('runs demo.py as written, twice', async () => {
    writeFileSync(join(dir, 'demo.py'), pythonBlocks[0]!.code);
    for (const round of [1, 2]) {
      expect(await asAUser('python3 demo.py'), `run ${round}`).toBe('vended sk-d...');
    }
  }, 60_000);

  // After the demos: the CLI shows what they created.
  it.skipIf(awsCliMissing)('runs the AWS CLI example as written, twice, with the same export lines', async () => {
    for (const round of [1, 2]) {
      expect(await asAUser(cliBlocks[0]!.code), `run ${round}`).toMatch(/^arn:aws:bedrock-agentcore:[^:]+:\d{12}:workload-identity-directory\/default\/workload-identity\/support-agent$/);
    }
  }, 60_000);

  it.skipIf(boto3Missing)('runs the own-secret (EXTERNAL) Python example as written, twice: botocore sends apiKeySecretSource', async () => {
    // An older botocore refuses the member client-side: say so rather than fail inside the example.
    const { stdout: members } = await run('python3', ['-c', MEMBERS_OF_CREATE_API_KEY_PROVIDER]);
    expect(members.trim().split(','), 'this botocore lacks apiKeySecretSource, which the README example sends: pip install "boto3==1.43.107"').toContain('apiKeySecretSource');
    writeFileSync(join(dir, 'demo_external.py'), pythonBlocks[1]!.code);
    for (const round of [1, 2]) {
      expect(await asAUser('python3 demo_external.py'), `run ${round}`).toBe('sk-mine');
    }
  }, 60_000);
});
