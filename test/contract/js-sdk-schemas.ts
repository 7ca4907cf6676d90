import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Reads the structure schemas the official JS SDK clients are generated with (member names and
 * how many of them are required), so tests can check our contract against the clients'.
 */
export interface JsStructure {
  members: string[];
  required: string[];
}

const require = createRequire(__filename);

export function jsSdkStructures(pkg: '@aws-sdk/client-bedrock-agentcore-control' | '@aws-sdk/client-bedrock-agentcore'): Map<string, JsStructure> {
  const root = dirname(dirname(require.resolve(pkg)));
  const source = readFileSync(join(root, 'dist-es', 'schemas', 'schemas_0.js'), 'utf8');
  const constants = new Map<string, string>();
  for (const [, id, value] of source.matchAll(/const (_\w+) = "([^"]*)";/g)) constants.set(id!, value!);
  const structures = new Map<string, JsStructure>();
  const pattern = /export var (\w+)\$ = \[[34], n\d+, (_\w+),\s*[^,]+,\s*\[([^\]]*)\],\s*\[[\s\S]*?\](?:, (\d+))?\s*\];/g;
  for (const [, name, , memberList, required] of source.matchAll(pattern)) {
    const members = memberList!.split(',').map((m) => constants.get(m.trim()) ?? m.trim()).filter(Boolean);
    structures.set(name!, { members, required: members.slice(0, Number(required ?? 0)) });
  }
  return structures;
}
