import { shapes, type Shape } from '../../lib/contract/model.js';

/**
 * Requests built from the contract, and responses checked against it: the wire parity tests walk
 * the same shapes the edge validates with, so that a member added to the model is sent and
 * expected without anyone editing a test.
 *
 * Paths name members from the top of a request, dot-separated (`oauth2ProviderConfigInput.
 * customOauth2ProviderConfig.clientId`).
 */

/** Leaves a member out of a request that would otherwise set it. */
export const OMIT = Symbol('omit');
export type Picks = Record<string, unknown>;

const whole = (pattern: string) => new RegExp(`^(?:${pattern})$`);
const codePoints = (value: string) => [...value].length;

/** Values tried for a patterned string nobody picked; a shape none fits needs a pick. */
const CANDIDATES = ['sample-value', 'sample', 'a1', 'x'];

function sampleString(shape: Shape, path: string): string {
  if (shape.enum) return shape.enum[0]!;
  const fits = (v: string) => codePoints(v) >= (shape.min ?? 0) && (shape.max === undefined || codePoints(v) <= shape.max) && (!shape.pattern || whole(shape.pattern).test(v));
  const found = CANDIDATES.map((c) => c.padEnd(shape.min ?? 0, 'x')).find(fits);
  if (found === undefined) throw new Error(`pick a value for ${path}: no sample fits its shape`);
  return found;
}

/**
 * A request with every member of `shapeName` set: a pick when the path has one (OMIT leaves it
 * out), otherwise a value made from the shape. A union takes the one member some pick lies under.
 */
export function buildRequest(shapeName: string, picks: Picks, path = ''): unknown {
  if (path && path in picks) return picks[path];
  const shape = shapes[shapeName]!;
  const at = (name: string) => (path ? `${path}.${name}` : name);
  switch (shape.type) {
    case 'structure': {
      const names = Object.keys(shape.members ?? {});
      const chosen = shape.union ? names.filter((n) => Object.keys(picks).some((p) => p === at(n) || p.startsWith(`${at(n)}.`))) : names;
      if (shape.union && chosen.length !== 1) throw new Error(`pick exactly one member of the union at ${path} (${names.join(', ')})`);
      const out: Record<string, unknown> = {};
      for (const name of chosen) {
        const value = buildRequest(shape.members![name]!.shape, picks, at(name));
        if (value !== OMIT) out[name] = value;
      }
      return out;
    }
    case 'list':
      return Array.from({ length: Math.max(shape.min ?? 0, 1) }, () => buildRequest(shape.member!.shape, picks, `${path}[]`));
    case 'map':
      return { [buildRequest(shape.key!.shape, picks, `${path}{key}`) as string]: buildRequest(shape.value!.shape, picks, `${path}{}`) };
    case 'string':
      return sampleString(shape, path);
    case 'integer':
    case 'long':
      return Math.max(shape.min ?? 1, 1);
    case 'boolean':
      return true;
    default:
      throw new Error(`pick a value for ${path} (${shape.type})`);
  }
}

/**
 * Every `Shape.member` a value sets, structures only (the unit of "every member set": the same
 * structure reached by two paths counts once).
 */
export function membersSet(shapeName: string, value: unknown, into = new Set<string>()): Set<string> {
  const shape = shapes[shapeName]!;
  if (value === null || typeof value !== 'object') return into;
  if (shape.type === 'structure') {
    for (const [name, v] of Object.entries(value)) {
      const ref = shape.members?.[name];
      if (!ref || v === undefined) continue;
      into.add(`${shapeName}.${name}`);
      membersSet(ref.shape, v, into);
    }
  } else if (shape.type === 'list') {
    for (const item of value as unknown[]) membersSet(shape.member!.shape, item, into);
  } else if (shape.type === 'map') {
    for (const v of Object.values(value)) membersSet(shape.value!.shape, v, into);
  }
  return into;
}

/** Every `Shape.member` an input shape reaches. */
export function membersReachable(shapeName: string, into = new Set<string>(), seen = new Set<string>()): Set<string> {
  if (seen.has(shapeName)) return into;
  seen.add(shapeName);
  const shape = shapes[shapeName]!;
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    into.add(`${shapeName}.${name}`);
    membersReachable(ref.shape, into, seen);
  }
  for (const ref of [shape.member, shape.key, shape.value]) if (ref) membersReachable(ref.shape, into, seen);
  return into;
}

/**
 * What is wrong with a JSON value as the wire form of `shapeName`: a required member missing, a
 * member the shape lacks, a wrong type, an enum value or pattern it does not allow, a length or
 * count out of bounds, a union with other than one member. `allow` accepts named deviations
 * (`Shape` → check) the service makes on purpose.
 */
export function shapeProblems(shapeName: string, value: unknown, path = '$', allow: Readonly<Record<string, (v: unknown) => boolean>> = {}): string[] {
  const shape = shapes[shapeName]!;
  const problems: string[] = [];
  const bad = (what: string) => problems.push(`${path} (${shapeName}): ${what}`);
  if (allow[shapeName]?.(value)) return problems;
  const count = (n: number) => {
    if (shape.min !== undefined && n < shape.min) bad(`${n} is under the minimum ${shape.min}`);
    if (shape.max !== undefined && n > shape.max) bad(`${n} is over the maximum ${shape.max}`);
  };
  switch (shape.type) {
    case 'structure': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path} (${shapeName}): not an object`];
      const entries = Object.entries(value).filter(([, v]) => v !== null);
      for (const [name, v] of entries) {
        const ref = shape.members?.[name];
        if (!ref) bad(`member ${name} is not in the model`);
        else problems.push(...shapeProblems(ref.shape, v, `${path}.${name}`, allow));
      }
      for (const name of shape.required ?? []) if (!entries.some(([n]) => n === name)) bad(`required member ${name} is missing`);
      if (shape.union && entries.length !== 1) bad(`a union must set exactly one member, not ${entries.length}`);
      return problems;
    }
    case 'list':
      if (!Array.isArray(value)) return [`${path} (${shapeName}): not a list`];
      count(value.length);
      value.forEach((item, i) => problems.push(...shapeProblems(shape.member!.shape, item, `${path}[${i}]`, allow)));
      return problems;
    case 'map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path} (${shapeName}): not a map`];
      count(Object.keys(value).length);
      for (const [k, v] of Object.entries(value)) {
        problems.push(...shapeProblems(shape.key!.shape, k, `${path}{key}`, allow), ...shapeProblems(shape.value!.shape, v, `${path}.${k}`, allow));
      }
      return problems;
    case 'string':
      if (typeof value !== 'string') return [`${path} (${shapeName}): not a string`];
      count(codePoints(value));
      if (shape.enum && !shape.enum.includes(value)) bad(`${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
      if (shape.pattern && !whole(shape.pattern).test(value)) bad(`does not match ${shape.pattern}`);
      return problems;
    case 'integer':
    case 'long':
      if (!Number.isInteger(value)) return [`${path} (${shapeName}): not an integer`];
      count(value as number);
      return problems;
    case 'boolean':
      return typeof value === 'boolean' ? problems : [`${path} (${shapeName}): not a boolean`];
    case 'timestamp':
      // rest-json's default: epoch seconds, a JSON number.
      return typeof value === 'number' && Number.isFinite(value) ? problems : [`${path} (${shapeName}): not epoch seconds`];
    default:
      return typeof value === 'string' ? problems : [`${path} (${shapeName}): not a ${shape.type}`];
  }
}
