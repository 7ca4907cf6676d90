import { globOf, type Glob } from './wildcard.js';

/**
 * IAM identity policy documents as IAM stores them, read defensively: a document comes from IAM
 * (URL-encoded JSON, as GetUserPolicy, GetRolePolicy, GetGroupPolicy and GetPolicyVersion return
 * it) or from a test, and anything that is not a policy IAM would have accepted is refused with
 * a reason rather than read half-way: a misread Deny would allow what its author forbade.
 */

/** One `Condition` entry: operator (with its qualifier and IfExists), key, and the values ORed. */
export interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  /** The Sid, or the statement's position in its policy. */
  readonly id: string;
  readonly effect: 'Allow' | 'Deny';
  /** `NotAction`: the statement applies to every action but these. */
  readonly notAction: boolean;
  /** Action patterns, lower-cased: IAM compares actions without case. */
  readonly actions: readonly Glob[];
  readonly notResource: boolean;
  /** Resource patterns as written: they may hold policy variables, resolved per request. */
  readonly resources: readonly string[];
  readonly conditions: readonly ConditionEntry[];
}

export interface ParsedPolicy {
  readonly name: string;
  /** Whether `${...}` is a policy variable (2012-10-17) or literal text (2008-10-17). */
  readonly variables: boolean;
  readonly statements: readonly Statement[];
}

/** Why a document was refused: evaluating around it could miss a Deny, so the caller denies. */
export interface Malformed {
  readonly malformed: string;
}

/** Bounds on the work a document may ask for; IAM's own limits are well below them. */
const MAX_DOCUMENT_CHARS = 131_072;
const MAX_STATEMENTS = 1_000;
const MAX_VALUES = 1_000;

const DOCUMENT_FIELDS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

class Refusal extends Error {}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON text, or the URL-encoded JSON IAM's Get*Policy APIs return. */
function decode(text: string): unknown {
  if (text.length > MAX_DOCUMENT_CHARS) refuse(`document longer than ${MAX_DOCUMENT_CHARS} characters`);
  try {
    return JSON.parse(text);
  } catch {
    // not plain JSON: IAM's URL encoding, tried below
  }
  try {
    return JSON.parse(decodeURIComponent(text));
  } catch {
    return refuse('document is neither JSON nor URL-encoded JSON');
  }
}

/** A string or a non-empty list of strings (Action, Resource and their Not forms). */
function stringList(value: unknown, field: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_VALUES) refuse(`${field} must be a string or a non-empty list of strings`);
  if (!list.every((item): item is string => typeof item === 'string')) refuse(`${field} must hold strings only`);
  return list;
}

/** Condition values: a scalar or a non-empty list of scalars; numbers and booleans as IAM reads them, as text. */
function conditionValues(value: unknown, where: string): string[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.length > MAX_VALUES) refuse(`${where} needs one to ${MAX_VALUES} values`);
  return list.map((item) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    return refuse(`${where} values must be strings, numbers or booleans`);
  });
}

function conditions(value: unknown, id: string): ConditionEntry[] {
  if (value === undefined) return [];
  if (!isRecord(value)) refuse(`${id}: Condition must be an object`);
  const entries: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isRecord(block) || Object.keys(block).length === 0) refuse(`${id}: Condition ${operator.slice(0, 64)} must be a non-empty object`);
    for (const [key, values] of Object.entries(block)) entries.push({ operator, key, values: conditionValues(values, `${id}: Condition ${operator.slice(0, 64)}`) });
  }
  return entries;
}

/** Exactly one of `field` and `Not<field>`. */
function oneOf(raw: Record<string, unknown>, field: 'Action' | 'Resource', id: string): { not: boolean; list: string[] } {
  const has = raw[field] !== undefined;
  const hasNot = raw[`Not${field}`] !== undefined;
  if (has === hasNot) refuse(`${id}: needs exactly one of ${field} and Not${field}`);
  return has ? { not: false, list: stringList(raw[field], field) } : { not: true, list: stringList(raw[`Not${field}`], `Not${field}`) };
}

function statement(raw: unknown, index: number): Statement {
  if (!isRecord(raw)) refuse(`statement ${index} is not an object`);
  const sid = raw.Sid;
  if (sid !== undefined && typeof sid !== 'string') refuse(`statement ${index}: Sid must be a string`);
  // IAM allows letters and digits in a Sid; anything else is replaced, since the id goes to logs.
  const id = sid !== undefined && sid !== '' ? sid.slice(0, 128).replace(/[^A-Za-z0-9]/g, '_') : `statement ${index}`;
  // Principal belongs to resource policies; IAM refuses it in an identity policy, and so do we.
  const stray = Object.keys(raw).find((field) => !STATEMENT_FIELDS.has(field));
  if (stray !== undefined) refuse(`${id}: field ${stray.slice(0, 64)} has no place in an identity policy`);
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') refuse(`${id}: Effect must be Allow or Deny`);
  const action = oneOf(raw, 'Action', id);
  const resource = oneOf(raw, 'Resource', id);
  return {
    id,
    effect: raw.Effect,
    notAction: action.not,
    actions: action.list.map((pattern) => globOf(pattern.toLowerCase())),
    notResource: resource.not,
    resources: resource.list,
    conditions: conditions(raw.Condition, id),
  };
}

function policy(document: unknown, name: string): ParsedPolicy {
  const raw = typeof document === 'string' ? decode(document) : document;
  if (!isRecord(raw)) refuse('document is not a JSON object');
  const stray = Object.keys(raw).find((field) => !DOCUMENT_FIELDS.has(field));
  if (stray !== undefined) refuse(`unknown top-level field ${stray.slice(0, 64)}`);
  // IAM reads a document without Version as 2008-10-17.
  const version = raw.Version ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') refuse('Version must be 2012-10-17 or 2008-10-17');
  const list: unknown[] = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  if (raw.Statement === undefined || list.length > MAX_STATEMENTS) refuse(`Statement must be an object or a list of at most ${MAX_STATEMENTS}`);
  return { name, variables: version === '2012-10-17', statements: list.map(statement) };
}

/**
 * A policy document (JSON text, URL-encoded JSON text, or parsed JSON) read for evaluation, or
 * why it cannot be. Never throws, whatever the input.
 */
export function parsePolicy(document: unknown, name = 'policy'): ParsedPolicy | Malformed {
  try {
    return policy(document, name);
  } catch (error) {
    if (error instanceof Refusal) return { malformed: `${name}: ${error.message}` };
    // Anything else (a RangeError from a pathological input) is a refusal too, never a throw.
    return { malformed: `${name}: document could not be read` };
  }
}

export function isMalformed(value: ParsedPolicy | Malformed): value is Malformed {
  return 'malformed' in value;
}
