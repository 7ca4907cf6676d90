import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * `npm run package` (`osls package`) with no AWS credentials anywhere: no AWS_ environment
 * variables, an empty HOME. It takes about 20 s of CPU, and its output is a function of the
 * sources, so the folder it writes is kept in node_modules/.cache under a hash of everything it
 * reads: the first run of a clean clone packages, the next ones with the same sources do not.
 */
const ROOT = resolve(__dirname, '..', '..');
const INPUTS = ['serverless.yml', 'package.json', 'package-lock.json', 'tsconfig.json', 'node_modules/osls/package.json', 'functions', 'lib', 'infra'];

export async function packagedService(stage: string, params: Record<string, string> = {}): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  const paramArgs = Object.entries(params).flatMap(([key, value]) => ['--param', `${key}=${value}`]);
  const variant = Object.entries(params).map(([key, value]) => `${key}=${value}`).join(',');
  const label = variant ? `${stage}~${createHash('sha256').update(variant).digest('hex').slice(0, 8)}` : stage;
  const cached = join(ROOT, 'node_modules', '.cache', 'agentcore-identity', `package-${label}-${await inputsHash(env)}`);
  if (existsSync(join(cached, 'cloudformation-template-update-stack.json'))) return cached;
  // Written beside its final place and moved in whole (a rename), so a parallel run sees all of it or none.
  await mkdir(join(cached, '..'), { recursive: true });
  const partial = `${cached}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const home = mkdtempSync(join(tmpdir(), 'agentcore-identity-home-'));
  try {
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', stage, ...paramArgs, '--package', partial], {
      cwd: ROOT,
      env: { ...env, HOME: home, ESBUILD_WORK_FOLDER: `.esbuild/package-${process.pid}`, SLS_TELEMETRY_DISABLED: '1' },
    });
    await rename(partial, cached).catch((error: NodeJS.ErrnoException) => {
      // Another run stored the same package first.
      if (!existsSync(join(cached, 'cloudformation-template-update-stack.json'))) throw error;
    });
    // Packages of earlier sources are of no more use (about 1 MB each): only the newest is kept.
    const folder = join(cached, '..');
    const stale = (await readdir(folder)).filter((name) => /^package-[^.]+$/.test(name) && name.startsWith(`package-${label}-`) && join(folder, name) !== cached);
    await Promise.all(stale.map((name) => rm(join(folder, name), { recursive: true, force: true })));
    return cached;
  } finally {
    await rm(partial, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  }
}

/** Paths and contents of every input file, and the values of the environment variables serverless.yml names. */
async function inputsHash(env: Record<string, string | undefined>): Promise<string> {
  const hash = createHash('sha256');
  const add = async (path: string) => {
    const full = join(ROOT, path);
    const entries = await readdir(full, { withFileTypes: true }).catch(() => undefined);
    if (!entries) {
      hash.update(`${path}\0`).update(await readFile(full)).update('\0');
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) await add(join(path, entry.name));
  };
  for (const path of INPUTS) await add(path);
  const serverless = await readFile(join(ROOT, 'serverless.yml'), 'utf8');
  for (const [, name] of serverless.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)/g)) hash.update(`${name}=${env[name!] ?? ''}\0`);
  return hash.digest('hex').slice(0, 32);
}
