import type { Token } from './wildcard.js';

/**
 * The request context a policy is judged against, and the three-valued logic the evaluator
 * needs because some keys cannot be known here (a session tag, a key of another service).
 */

/** A request context value: single-valued, multivalued (aws:TagKeys), or absent. */
export type ContextValue = string | readonly string[] | undefined;

/** A statement, condition or pattern whose outcome cannot be decided, with why (for the log). */
export interface Unknown {
  readonly unknown: string;
}
/** true, false, or unknown (Kleene's logic: false AND unknown is false, true OR unknown is true). */
export type Tri = boolean | Unknown;

export function isUnknown(value: Tri | unknown): value is Unknown {
  return typeof value === 'object' && value !== null && 'unknown' in value;
}

export function not(value: Tri): Tri {
  return isUnknown(value) ? value : !value;
}

/** OR over lazily computed values: stops at the first true; unknown only if nothing is true. */
export function anyOf<T>(items: Iterable<T>, test: (item: T) => Tri): Tri {
  let unknown: Unknown | undefined;
  for (const item of items) {
    const result = test(item);
    if (result === true) return true;
    if (isUnknown(result)) unknown ??= result;
  }
  return unknown ?? false;
}

/** AND over lazily computed values: stops at the first false; unknown only if nothing is false. */
export function allOf<T>(items: Iterable<T>, test: (item: T) => Tri): Tri {
  return not(anyOf(items, (item) => not(test(item))));
}

/** What the evaluator looks a key up in: names folded to lower case, as IAM compares them. */
export interface RequestContext {
  readonly values: ReadonlyMap<string, string | readonly string[]>;
  /** Whether the service knows this key's value for the request (present or surely absent). */
  isKnown(key: string): boolean;
}

/**
 * The context of one request. `knownKeys` names the keys whose value the caller knows for this
 * request, present or not (`aws:RequestTag/*` covers every key of that family), and is
 * authoritative: a value given for a key outside it is not trusted (a principal tag the caller
 * read from IAM may be overridden by a session tag it cannot see). Without it, only the keys
 * given a value are known. A policy that asks about any other key is unknown.
 */
export function requestContext(context: Readonly<Record<string, ContextValue>>, knownKeys?: readonly string[]): RequestContext {
  const values = new Map<string, string | readonly string[]>();
  // A value of another type (a bug in the caller) makes its key unknown rather than absent.
  const unreadable = new Set<string>();
  for (const [key, value] of Object.entries(context)) {
    if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) values.set(key.toLowerCase(), value);
    else if (value !== undefined) unreadable.add(key.toLowerCase());
  }
  const exact = new Set<string>();
  const families: string[] = [];
  for (const key of knownKeys ?? Object.keys(context)) {
    const folded = key.toLowerCase();
    if (folded.endsWith('/*')) families.push(folded.slice(0, -1));
    else exact.add(folded);
  }
  const isKnown = (key: string): boolean => {
    const folded = key.toLowerCase();
    if (unreadable.has(folded)) return false;
    return exact.has(folded) || families.some((prefix) => folded.startsWith(prefix) && folded.length > prefix.length);
  };
  return { values, isKnown };
}

/** A key's values in the request: [] when absent (an empty multivalued key counts as absent). */
export function valuesOf(ctx: RequestContext, key: string): readonly string[] {
  const value = ctx.values.get(key.toLowerCase());
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/** A pattern no text matches: a policy variable whose key is absent and has no default. */
export const NEVER = Symbol('never');

// `${key}` or `${key, 'default'}`; the key is what IAM allows in a variable (letters, digits, : / _ - .).
const VARIABLE = /^\s*([A-Za-z0-9:/_.-]+)\s*(?:,\s*'([^']*)'\s*)?$/;

/** The text a `${...}` body stands for: a literal, NEVER (absent, no default), or unknown. */
function resolveVariable(body: string, ctx: RequestContext): string | typeof NEVER | Unknown {
  if (body === '*' || body === '?' || body === '$') return body;
  const parts = VARIABLE.exec(body);
  if (!parts) return { unknown: `policy variable \${${body.slice(0, 64)}} is not understood` };
  const [, key, fallback] = parts as unknown as [string, string, string | undefined];
  if (!ctx.isKnown(key)) return { unknown: `policy variable \${${key}} is not known for this request` };
  const values = valuesOf(ctx, key);
  if (values.length > 1) return { unknown: `policy variable \${${key}} has several values` };
  return values[0] ?? fallback ?? NEVER;
}

/**
 * A policy string as tokens: policy variables replaced by their values (as literal text: a `*`
 * in a value, or `${*}`, is not a wildcard), `*` and `?` as wildcards when `wildcards` is set.
 * Policy version 2008-10-17 has no variables: `${...}` is then literal text, as IAM reads it.
 */
export function tokenize(raw: string, ctx: RequestContext, options: { variables: boolean; wildcards: boolean }): Token[] | typeof NEVER | Unknown {
  const tokens: Token[] = [];
  let run = '';
  const flush = (): void => {
    if (run !== '') tokens.push({ kind: 'text', text: run });
    run = '';
  };
  let i = 0;
  while (i < raw.length) {
    const close = options.variables && raw.startsWith('${', i) ? raw.indexOf('}', i + 2) : -1;
    if (close >= 0) {
      const value = resolveVariable(raw.slice(i + 2, close), ctx);
      if (value === NEVER || isUnknown(value)) return value;
      run += value;
      i = close + 1;
    } else {
      const ch = raw[i]!;
      const wildcard = options.wildcards && (ch === '*' || ch === '?');
      if (wildcard) {
        flush();
        tokens.push(ch === '*' ? { kind: 'star' } : { kind: 'one' });
      } else run += ch;
      i++;
    }
  }
  flush();
  return tokens;
}

/** The literal text of tokens made without wildcards. */
export function textOf(tokens: readonly Token[]): string {
  return tokens.map((t) => (t.kind === 'text' ? t.text : t.kind === 'star' ? '*' : '?')).join('');
}
