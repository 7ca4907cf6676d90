import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { parse } from 'yaml';

/**
 * The functions' bundles as `osls package` builds them: serverless.yml's esbuild section, read
 * here rather than restated, so the bench and the template test look at what is deployed.
 */
const ROOT = resolve(__dirname, '..', '..');

function serverlessYml(): { custom: { esbuild: Record<string, unknown> }; functions: Record<string, { handler: string }> } {
  return parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8'));
}

/** The options serverless-esbuild hands esbuild (without the keys that are the plugin's own). */
export function esbuildOptions(): BuildOptions {
  const { exclude: _exclude, packager: _packager, outputWorkFolder: _folder, ...options } = serverlessYml().custom.esbuild;
  return options as BuildOptions;
}

/** Every function of serverless.yml and its entry file. */
export function functionEntries(): Record<string, string> {
  return Object.fromEntries(Object.entries(serverlessYml().functions).map(([name, fn]) => [name, join(ROOT, fn.handler.replace(/\.[^.]+$/, '.ts'))]));
}

/** Builds one entry (a function's, or a baseline's written anywhere) with the deployed settings. */
export async function bundle(entry: string, outfile: string): Promise<Metafile> {
  const result = await build({
    ...esbuildOptions(),
    entryPoints: [entry],
    outfile,
    absWorkingDir: ROOT,
    nodePaths: [join(ROOT, 'node_modules')],
    metafile: true,
    logLevel: 'error',
  });
  return result.metafile;
}

/** The files that put bytes into a bundle, relative to the repository. */
export function bundledFiles(metafile: Metafile): string[] {
  const [output] = Object.values(metafile.outputs);
  return Object.entries(output!.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
}

/** The package a bundled file belongs to (`@scope/name`), or undefined for the project's own files. */
export function packageOf(file: string): string | undefined {
  return file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/)?.[1];
}
