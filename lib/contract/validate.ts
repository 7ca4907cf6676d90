import { ValidationException, type ValidationExceptionField } from '../errors.js';
import { shapes, type Shape } from './model.js';

/**
 * Validates a request body against its input shape. All violations are collected, so that a
 * client learns every bad field at once. Messages name the field and the constraint, never the
 * value: inputs carry API keys and client secrets.
 *
 * Smithy patterns are not anchored by the model; AgentCore validates whole values, so we do too.
 */
export function validateShape<T>(shapeName: string, input: unknown): T {
  const problems: ValidationExceptionField[] = [];
  check(shapeName, input, '', problems);
  if (problems.length > 0) {
    const summary = problems.map((p) => `Value at '${p.name}' ${p.message}`).join('; ');
    const count = `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: `;
    throw new ValidationException(count + summary, 'FieldValidationFailed', problems);
  }
  return input as T;
}

const patternCache = new Map<string, RegExp>();
function anchored(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    patternCache.set(pattern, re);
  }
  return re;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lengthMessage(shape: Shape, what: string): string {
  if (shape.min !== undefined && shape.max !== undefined) return `failed to satisfy constraint: Member must have ${what} between ${shape.min} and ${shape.max}`;
  if (shape.min !== undefined) return `failed to satisfy constraint: Member must have ${what} greater than or equal to ${shape.min}`;
  return `failed to satisfy constraint: Member must have ${what} less than or equal to ${shape.max}`;
}

function outOfRange(shape: Shape, size: number): boolean {
  return (shape.min !== undefined && size < shape.min) || (shape.max !== undefined && size > shape.max);
}

function check(shapeName: string, value: unknown, path: string, problems: ValidationExceptionField[]): void {
  const shape = shapes[shapeName];
  if (!shape) throw new Error(`contract has no shape ${shapeName}`);
  const at = path || 'body';
  const fail = (message: string) => problems.push({ name: at, message });

  switch (shape.type) {
    case 'structure': {
      if (!isPlainObject(value)) return void fail('failed to satisfy constraint: Member must be an object');
      const members = shape.members ?? {};
      for (const required of shape.required ?? []) {
        if (value[required] === undefined || value[required] === null) {
          problems.push({ name: join(path, required), message: 'failed to satisfy constraint: Member must not be null' });
        }
      }
      const present = Object.keys(value).filter((k) => value[k] !== undefined && value[k] !== null);
      if (shape.union && present.length !== 1) {
        fail(`failed to satisfy constraint: Member must have exactly one of ${Object.keys(members).join(', ')}`);
      }
      for (const key of present) {
        const ref = members[key];
        // Unknown members are ignored, as AWS services do, so newer clients keep working.
        if (ref) check(ref.shape, value[key], join(path, key), problems);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return void fail('failed to satisfy constraint: Member must be a string');
      if (shape.enum && !shape.enum.includes(value)) {
        return void fail(`failed to satisfy constraint: Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      }
      const length = [...value].length;
      if (outOfRange(shape, length)) return void fail(lengthMessage(shape, 'length'));
      if (shape.pattern && !anchored(shape.pattern).test(value)) {
        fail(`failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern}`);
      }
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return void fail('failed to satisfy constraint: Member must be an integer');
      if (outOfRange(shape, value)) return void fail(lengthMessage(shape, 'value'));
      return;
    }
    case 'double':
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('failed to satisfy constraint: Member must be a number');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail('failed to satisfy constraint: Member must be a boolean');
      return;
    case 'timestamp':
      if (typeof value !== 'number' && typeof value !== 'string') fail('failed to satisfy constraint: Member must be a timestamp');
      return;
    case 'blob':
      if (typeof value !== 'string') fail('failed to satisfy constraint: Member must be base64 text');
      return;
    case 'list': {
      if (!Array.isArray(value)) return void fail('failed to satisfy constraint: Member must be a list');
      if (outOfRange(shape, value.length)) fail(lengthMessage(shape, 'length'));
      value.forEach((item, i) => {
        if (item === null || item === undefined) problems.push({ name: `${at}.${i + 1}`, message: 'failed to satisfy constraint: Member must not be null' });
        else check(shape.member!.shape, item, `${at}.${i + 1}`, problems);
      });
      return;
    }
    case 'map': {
      if (!isPlainObject(value)) return void fail('failed to satisfy constraint: Member must be a map');
      const entries = Object.entries(value);
      if (outOfRange(shape, entries.length)) fail(lengthMessage(shape, 'number of entries'));
      for (const [k, v] of entries) {
        check(shape.key!.shape, k, `${at}.key`, problems);
        if (v === null || v === undefined) problems.push({ name: `${at}.${k}`, message: 'failed to satisfy constraint: Member must not be null' });
        else check(shape.value!.shape, v, `${at}.${k}`, problems);
      }
      return;
    }
    default:
      throw new Error(`unsupported shape type ${(shape as Shape).type}`);
  }
}

function join(path: string, member: string): string {
  return path ? `${path}.${member}` : member;
}
