import { ValidationException, type ValidationExceptionField } from '../errors.js';
import { DEFAULT_MAX_STRING_LENGTH, edgeLimits, shapes, type EdgeLimit, type Shape } from './model.js';
import { matchesPattern } from './patterns.js';

export { matchesPattern } from './patterns.js';

/**
 * Validates a request body against its input shape and returns the value the operation may use:
 * structures hold only the members the contract knows (unknown ones are ignored, as AWS services
 * do, so newer clients keep working), and maps are null-prototype objects, so that a key such as
 * `constructor` or `__proto__` (valid AWS tag keys) is an ordinary key everywhere downstream.
 *
 * All violations are collected, so that a client learns every bad field at once. Messages name the
 * field and the constraint, never the value: inputs carry API keys and client secrets.
 *
 * Only own properties are ever read: a member named like an `Object.prototype` property is just a
 * member. Smithy patterns are not anchored by the model; AgentCore validates whole values, so we
 * do too, in time linear in the value (lib/contract/patterns.ts): no value can make a pattern
 * backtrack beyond one pass over the value per character of the pattern.
 */
export function validateShape<T>(shapeName: string, input: unknown): T {
  const problems: ValidationExceptionField[] = [];
  const value = check(shapeName, input, '', problems);
  if (problems.length > 0) {
    const summary = problems.map((p) => `Value at '${p.name}' ${p.message}`).join('; ');
    const count = `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: `;
    throw new ValidationException(count + summary, 'FieldValidationFailed', problems);
  }
  return value as T;
}

function own(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

function shapeNamed(name: string): Shape {
  const shape = own(shapes, name) as Shape | undefined;
  if (!shape) throw new Error(`contract has no shape ${name}`);
  return shape;
}

function limitOf(name: string): EdgeLimit {
  return (own(edgeLimits, name) as EdgeLimit | undefined) ?? {};
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * DynamoDB and Secrets Manager take UTF-8: half of a surrogate pair has no UTF-8 form, and they
 * refuse the whole request. Such a string is refused here, as a validation error.
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * For text that reaches storage from elsewhere than a request (an authorization server's discovery
 * document): the same rule the edge applies, a string of valid Unicode within `maxLength` code
 * points, or undefined.
 */
export function storableText(value: unknown, maxLength: number = DEFAULT_MAX_STRING_LENGTH): string | undefined {
  if (typeof value !== 'string' || LONE_SURROGATE.test(value) || value.length > 2 * maxLength || countCodePoints(value) > maxLength) return undefined;
  return value;
}

function lengthMessage(min: number | undefined, max: number | undefined, what: string): string {
  if (min !== undefined && max !== undefined) return `failed to satisfy constraint: Member must have ${what} between ${min} and ${max}`;
  if (min !== undefined) return `failed to satisfy constraint: Member must have ${what} greater than or equal to ${min}`;
  return `failed to satisfy constraint: Member must have ${what} less than or equal to ${max}`;
}

function outOfRange(min: number | undefined, max: number | undefined, size: number): boolean {
  return (min !== undefined && size < min) || (max !== undefined && size > max);
}

/** The model's maximum, or ours where the model has none. */
function maxItemsOf(shapeName: string, shape: Shape): number | undefined {
  return shape.max ?? limitOf(shapeName).maxItems;
}

/** Where a value sits, and the list its problems go to. */
interface Site {
  shapeName: string;
  shape: Shape;
  path: string;
  at: string;
  problems: ValidationExceptionField[];
}

const MUST = 'failed to satisfy constraint: Member must';

/** Checks a value against its shape; returns it rebuilt (known members only, null-prototype maps). */
function check(shapeName: string, value: unknown, path: string, problems: ValidationExceptionField[]): unknown {
  const shape = shapeNamed(shapeName);
  const site: Site = { shapeName, shape, path, at: path || 'body', problems };
  switch (shape.type) {
    case 'structure':
      return checkStructure(site, value);
    case 'string':
      return checkString(site, value);
    case 'list':
      return checkList(site, value);
    case 'map':
      return checkMap(site, value);
    default:
      return checkScalar(site, value);
  }
}

function fail(site: Site, message: string): undefined {
  site.problems.push({ name: site.at, message });
  return undefined;
}

function checkStructure(site: Site, value: unknown): unknown {
  const { shape, path, problems } = site;
  if (!isPlainObject(value)) return fail(site, `${MUST} be an object`);
  const members = shape.members ?? {};
  for (const required of shape.required ?? []) {
    const given = own(value, required);
    if (given === undefined || given === null) problems.push({ name: join(path, required), message: `${MUST} not be null` });
  }
  const result: Record<string, unknown> = {};
  let known = 0;
  for (const key of Object.keys(value)) {
    const ref = own(members, key) as { shape: string } | undefined;
    const given = value[key];
    // Unknown members are ignored (and dropped) unless the structure is closed; null stands for absent, as in AWS JSON protocols.
    if (!ref && shape.closed) problems.push({ name: join(path, key.length <= 64 ? key : 'member'), message: 'is not a member of this request' });
    if (!ref || given === undefined || given === null) continue;
    known++;
    result[key] = check(ref.shape, given, join(path, key), problems);
  }
  if (shape.union && known !== 1) fail(site, `${MUST} have exactly one of ${Object.keys(members).join(', ')}`);
  return result;
}

function checkString(site: Site, value: unknown): unknown {
  const { shape, shapeName } = site;
  if (typeof value !== 'string') return fail(site, `${MUST} be a string`);
  if (LONE_SURROGATE.test(value)) return fail(site, `${MUST} be valid Unicode text (no unpaired surrogate)`);
  if (shape.enum) return shape.enum.includes(value) ? value : fail(site, `${MUST} satisfy enum value set: [${shape.enum.join(', ')}]`);
  const limit = limitOf(shapeName);
  const max = shape.max ?? limit.maxLength ?? DEFAULT_MAX_STRING_LENGTH;
  // Counting code points costs a pass; a value longer in UTF-16 units than 2x the maximum is
  // too long whatever it holds, and is refused before that pass.
  const length = value.length > 2 * max ? Number.POSITIVE_INFINITY : countCodePoints(value);
  if (outOfRange(shape.min, max, length)) return fail(site, lengthMessage(shape.min, max, 'length'));
  if (limit.maxJsonBytes !== undefined && Buffer.byteLength(JSON.stringify(value), 'utf8') > limit.maxJsonBytes) {
    return fail(site, `${MUST} have a size less than or equal to ${limit.maxJsonBytes} bytes once JSON-encoded`);
  }
  const pattern = limit.pattern ?? shape.pattern;
  if (pattern && !matchesPattern(pattern, value)) return fail(site, `${MUST} satisfy regular expression pattern: ${pattern}`);
  return value;
}

function checkList(site: Site, value: unknown): unknown {
  const { shape, shapeName, at, problems } = site;
  if (!Array.isArray(value)) return fail(site, `${MUST} be a list`);
  const max = maxItemsOf(shapeName, shape);
  // Too many items: one problem, not one per item (a list of a million bad items is one error).
  if (outOfRange(shape.min, max, value.length)) return fail(site, lengthMessage(shape.min, max, 'length'));
  return value.map((item, i) => {
    const itemPath = `${at}.${i + 1}`;
    if (item === null || item === undefined) return void problems.push({ name: itemPath, message: `${MUST} not be null` });
    return check(shape.member!.shape, item, itemPath, problems);
  });
}

function checkMap(site: Site, value: unknown): unknown {
  const { shape, shapeName, at, problems } = site;
  if (!isPlainObject(value)) return fail(site, `${MUST} be a map`);
  const keys = Object.keys(value);
  const max = maxItemsOf(shapeName, shape);
  if (outOfRange(shape.min, max, keys.length)) return fail(site, lengthMessage(shape.min, max, 'number of entries'));
  const result: Record<string, unknown> = Object.create(null);
  for (const key of keys) {
    const before = problems.length;
    check(shape.key!.shape, key, `${at}.key`, problems);
    // A bad key is not repeated in the name of its value's problems (it may be huge or odd).
    const valuePath = problems.length === before ? `${at}.${key}` : `${at}.value`;
    const given = value[key];
    if (given === null || given === undefined) problems.push({ name: valuePath, message: `${MUST} not be null` });
    else result[key] = check(shape.value!.shape, given, valuePath, problems);
  }
  return result;
}

function checkScalar(site: Site, value: unknown): unknown {
  const { shape } = site;
  switch (shape.type) {
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return fail(site, `${MUST} be an integer`);
      return outOfRange(shape.min, shape.max, value) ? fail(site, lengthMessage(shape.min, shape.max, 'value')) : value;
    case 'double':
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? value : fail(site, `${MUST} be a number`);
    case 'boolean':
      return typeof value === 'boolean' ? value : fail(site, `${MUST} be a boolean`);
    case 'timestamp':
      return typeof value === 'number' || typeof value === 'string' ? value : fail(site, `${MUST} be a timestamp`);
    case 'blob':
      return typeof value === 'string' ? value : fail(site, `${MUST} be base64 text`);
    default:
      throw new Error(`unsupported shape type ${shape.type}`);
  }
}

function countCodePoints(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    // A high surrogate followed by a low one is one code point (lone ones were refused before).
    if (unit >= 0xd800 && unit <= 0xdbff) i++;
    count++;
  }
  return count;
}

function join(path: string, member: string): string {
  return path ? `${path}.${member}` : member;
}
