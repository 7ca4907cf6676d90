import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../../lib/contract/model.js';
import { stack } from '../setup/clients.js';
import { TOKEN_VAULT_LOCK } from '../setup/token-vault-lock.js';
import {
  caseProblems,
  detectOptional,
  implementedOperations,
  KNOWN_MISMATCHES,
  newFindings,
  parityCases,
  prepareFixtures,
  record,
  servedCases,
  TAG_OPERATIONS,
  UNSERVED,
  type CaseResult,
  type Findings,
  type ParityCase,
} from './parity-cases.js';

/**
 * Wire parity from Python, the same cases as parity.test.ts, one python process per boto3:
 * - the system's boto3 (on CI botocore 1.43.11, whose model lacks the members for customers' own
 *   secrets, private key JWT and consent portals) with the README's recipe applied: its process
 *   first gets a model stripped of those members, shows boto3 refusing them, then applies the
 *   recipe, so the recipe is proven whatever botocore this machine has;
 * - boto3 1.43.107 unchanged, in a virtual environment under node_modules/.cache (npm ci wipes it),
 *   created here on first use.
 * Each process runs with HOME set to an empty folder: nothing in the user's ~/.aws/models reaches it
 * (the user's site-packages and pip configuration still do).
 */
const ROOT = resolve(__dirname, '..', '..');
const run = promisify(execFile);
const BOTO3 = '1.43.107';
const CACHE = join(ROOT, 'node_modules', '.cache');
const VENV = join(CACHE, `boto3-${BOTO3}`);
const WHEELS = join(CACHE, `botocore-${BOTO3}`);
const SCRIPT = join(__dirname, 'parity_boto3.py');
// One retry: pip's default of five, against an index it cannot reach, costs a minute.
const PIP = ['-m', 'pip', '--disable-pip-version-check', '--quiet', '--retries', '1', '--timeout', '20'];

const pythonMissing = await run('python3', ['-c', 'import boto3']).then(
  () => undefined,
  (error: Error) => error.message,
);
if (pythonMissing) console.warn(`Skipping wire parity through boto3: python3 cannot import boto3. ${pythonMissing}`);

/** The botocore wheel the README's recipe takes its models from (where npm run contract keeps it). */
async function botocoreWheel(): Promise<string> {
  const find = () => (existsSync(WHEELS) ? readdirSync(WHEELS).find((f) => f.startsWith(`botocore-${BOTO3}-`) && f.endsWith('.whl')) : undefined);
  if (!find()) await run('python3', [...PIP, 'download', '--no-deps', '--dest', WHEELS, `botocore==${BOTO3}`], { timeout: 120_000 });
  return join(WHEELS, find()!);
}

/** boto3 1.43.107 in a virtual environment, created once; a folder without the marker is redone. */
async function venvPython(): Promise<string> {
  const python = join(VENV, 'bin', 'python');
  const marker = join(VENV, '.installed');
  if (existsSync(marker)) return python;
  rmSync(VENV, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  await run('python3', ['-m', 'venv', VENV], { timeout: 120_000 });
  await run(python, [...PIP, 'install', `boto3==${BOTO3}`], { timeout: 300_000 });
  writeFileSync(marker, `boto3==${BOTO3}\n`);
  return python;
}

/**
 * The README's recipe as written, when its Python section has one (a shell block that writes
 * ~/.aws/models); otherwise add_current_models of parity_boto3.py, which is the same code.
 */
function readmeRecipe(): string | undefined {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## From Python');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => m[1]!).find((code) => code.includes('.aws/models'));
}

interface PythonRun {
  boto3: string;
  botocore: string;
  modelFrom: string;
  recipe: { refusedBefore: boolean; membersAfter: string[] } | null;
  results: (CaseResult & { parsed?: unknown; refused?: string })[];
}

const homes: string[] = [];
afterAll(() => homes.forEach((home) => rmSync(home, { recursive: true, force: true })));

async function runPython(python: string, cases: ParityCase[], extra: string[]): Promise<PythonRun> {
  const home = mkdtempSync(join(tmpdir(), 'parity-boto3-home-'));
  homes.push(home);
  const spec = join(home, 'cases.json');
  writeFileSync(spec, JSON.stringify({ endpoint: stack.url, region: stack.region, vaultLock: TOKEN_VAULT_LOCK, cases: cases.map((c) => ({ ...c, plane: operations[c.operation]!.plane })) }));
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))), ...(await homeless()), HOME: home };
  const { stdout } = await run(python, [SCRIPT, spec, ...extra], { env, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as PythonRun;
}

/**
 * What a python process keeps of the user's setup when HOME is an empty folder: the user's
 * site-packages (a boto3 installed with --user), pip's user configuration (the index the README's
 * recipe downloads from), and one retry for an index it cannot reach instead of pip's five.
 */
async function homeless(): Promise<Record<string, string>> {
  const userBase = (await run('python3', ['-m', 'site', '--user-base'])).stdout.trim();
  const pipConfig = [join(homedir(), '.config', 'pip', 'pip.conf'), join(homedir(), '.pip', 'pip.conf')].find((f) => existsSync(f));
  return { PYTHONUSERBASE: userBase, PIP_RETRIES: '1', ...(pipConfig && !process.env.PIP_CONFIG_FILE ? { PIP_CONFIG_FILE: pipConfig } : {}) };
}

/** Members of the raw answer that boto3's parse lost: its model does not know them. */
function unparsed(raw: unknown, parsed: unknown, path = '$'): string[] {
  if (raw === null || typeof raw !== 'object') return [];
  if (parsed === null || typeof parsed !== 'object') return [`${path}: boto3 parsed nothing here`];
  return Object.entries(raw).flatMap(([key, value]) =>
    value === null ? [] : key in parsed ? unparsed(value, (parsed as Record<string, unknown>)[key], `${path}.${key}`) : [`${path}.${key}: boto3 dropped it (its model lacks the member)`],
  );
}

function check(findings: Findings, cases: ParityCase[], out: PythonRun): void {
  cases.forEach((c, i) => {
    const result = out.results[i]!;
    const name = `${c.operation} (${c.label})`;
    if (result.refused) return record(findings, c.operation, [`${name}: boto3 ${out.boto3} refused it before sending: ${result.refused}`]);
    const found = caseProblems(c, result);
    if (!c.expectError && !found.length && result.body) found.push(...unparsed(JSON.parse(result.body), result.parsed).map((p) => `${name}: ${p}`));
    record(findings, c.operation, found);
  });
}

const optional = pythonMissing ? { tags: false, privateKeyJwt: false } : await detectOptional();
const implemented = implementedOperations();
const clients = {
  system: { findings: newFindings(), cases: [] as ParityCase[], out: undefined as PythonRun | undefined },
  venv: { findings: newFindings(), cases: [] as ParityCase[], out: undefined as PythonRun | undefined },
};

beforeAll(async () => {
  if (pythonMissing) return;
  const [wheel, venv, systemFixtures, venvFixtures] = await Promise.all([botocoreWheel(), venvPython(), prepareFixtures('py-system'), prepareFixtures('py-venv')]);
  const recipe = readmeRecipe();
  if (!recipe) console.warn("wire parity through boto3: README.md's Python section shows no recipe writing ~/.aws/models; proving parity_boto3.py's add_current_models instead");
  const recipeFile = join(mkdtempSync(join(tmpdir(), 'parity-recipe-')), 'recipe.sh');
  homes.push(dirname(recipeFile));
  writeFileSync(recipeFile, recipe ?? '');
  clients.system.cases = servedCases(parityCases(systemFixtures), optional);
  clients.venv.cases = servedCases(parityCases(venvFixtures), optional);
  [clients.system.out, clients.venv.out] = await Promise.all([
    runPython('python3', clients.system.cases, ['--prove-recipe', recipe ? recipeFile : wheel]),
    runPython(venv, clients.venv.cases, []),
  ]);
  for (const client of Object.values(clients)) check(client.findings, client.cases, client.out!);
}, 600_000);

const both = (operations: readonly string[]) => operations.flatMap((operation) => (['system', 'venv'] as const).map((client) => [client, operation] as const));
const label = { system: "the system's boto3 with the README's recipe", venv: `boto3 ${BOTO3} unchanged` };

describe.skipIf(pythonMissing)('wire parity through boto3', () => {
  it("proves the README's recipe: a botocore without the members refuses them, and sends them once the recipe is applied", () => {
    expect(clients.system.out!.recipe).toMatchObject({ refusedBefore: true });
    expect(clients.system.out!.recipe!.membersAfter).toEqual(expect.arrayContaining(['apiKeySecretSource', 'apiKeySecretConfig']));
    expect(clients.system.out!.modelFrom).toContain('.aws/models');
  });

  it(`runs boto3 ${BOTO3} unchanged: its own model, from its own package`, () => {
    expect(clients.venv.out).toMatchObject({ boto3: BOTO3, botocore: BOTO3 });
    expect(clients.venv.out!.modelFrom.startsWith(VENV)).toBe(true);
  });

  it.each(both(implemented.filter((o) => !(TAG_OPERATIONS as readonly string[]).includes(o))))('%s: %s answers what the model describes, and boto3 knows every member', (client, operation) => {
    expect(clients[client].cases.some((c) => c.operation === operation), `no case for ${operation}`).toBe(true);
    expect(clients[client].findings.problems.get(operation as never) ?? []).toEqual([]);
  });

  it.skipIf(!optional.tags).each(both(TAG_OPERATIONS))('%s: %s answers what the model describes, by ARN', (client, operation) => {
    expect(clients[client].findings.problems.get(operation as never) ?? [`no case ran`]).toEqual([]);
  });

  it('answers UnknownOperationException (404) to the operations in the model it does not serve (UNSERVED), if any', () => {
    for (const [client, operation] of both(UNSERVED)) expect(clients[client].findings.problems.get(operation as never), `${client}: ${operation}`).toEqual([]);
  });

  it.each(KNOWN_MISMATCHES.map((k) => [k.what, k.problem] as const))('known mismatch, seen from boto3 too (remove it from KNOWN_MISMATCHES once fixed): %s', (_, problem) => {
    expect(clients.venv.findings.known.some((p) => problem.test(p))).toBe(true);
  });

  it('ran every case through both, and says which boto3 ran', () => {
    for (const client of Object.values(clients)) {
      expect(client.out!.results).toHaveLength(client.cases.length);
      expect(client.out!.results.filter((r) => r.parsed !== undefined).length).toBeGreaterThan(client.cases.length / 2);
    }
    console.info(`wire parity through boto3: ${label.system} (boto3 ${clients.system.out!.boto3}, botocore ${clients.system.out!.botocore}), and ${label.venv}`);
  });
});
