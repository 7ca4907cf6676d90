import { allOf, anyOf, isUnknown, NEVER, not, textOf, tokenize, valuesOf, type RequestContext, type Tri, type Unknown } from './context.js';
import type { ConditionEntry } from './policy-document.js';
import { globFromTokens, globMatches, type Glob, type Token } from './wildcard.js';

/**
 * IAM's condition operators, as its documentation describes them: operators and keys are ANDed,
 * a key's policy values are ORed; a negated operator (StringNotEquals...) is true when the request
 * value matches none of them, and when the key is absent; `...IfExists` is true when the key is
 * absent; `ForAnyValue:` is true when some request value passes (false when the key is absent or
 * empty), `ForAllValues:` when every one does (true when absent or empty). An operator this module
 * does not know, or a key the request context cannot know, is unknown, never guessed.
 */

/** How policy values are read for an operator family. */
type Reading = 'text' | 'folded' | 'glob' | 'arn' | 'bool';

interface Operator {
  readonly reading: Reading;
  readonly negated: boolean;
}

const OPERATORS: Readonly<Record<string, Operator>> = {
  StringEquals: { reading: 'text', negated: false },
  StringNotEquals: { reading: 'text', negated: true },
  StringEqualsIgnoreCase: { reading: 'folded', negated: false },
  StringNotEqualsIgnoreCase: { reading: 'folded', negated: true },
  StringLike: { reading: 'glob', negated: false },
  StringNotLike: { reading: 'glob', negated: true },
  // IAM documents ArnEquals as behaving as ArnLike: wildcards in each of the six ARN parts.
  ArnEquals: { reading: 'arn', negated: false },
  ArnLike: { reading: 'arn', negated: false },
  ArnNotEquals: { reading: 'arn', negated: true },
  ArnNotLike: { reading: 'arn', negated: true },
  Bool: { reading: 'bool', negated: false },
};

interface ParsedOperator {
  readonly qualifier: 'none' | 'any' | 'all';
  readonly ifExists: boolean;
  /** Null, or one of OPERATORS. */
  readonly base: Operator | 'Null';
}

function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let qualifier: ParsedOperator['qualifier'] = 'none';
  if (rest.startsWith('ForAnyValue:')) [qualifier, rest] = ['any', rest.slice('ForAnyValue:'.length)];
  else if (rest.startsWith('ForAllValues:')) [qualifier, rest] = ['all', rest.slice('ForAllValues:'.length)];
  const ifExists = rest.endsWith('IfExists');
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  if (rest === 'Null') return ifExists || qualifier !== 'none' ? undefined : { qualifier, ifExists, base: 'Null' };
  const base = Object.hasOwn(OPERATORS, rest) ? OPERATORS[rest] : undefined;
  return base && { qualifier, ifExists, base };
}

/** `arn:partition:service:region:account:resource`: the first five colons split, the resource keeps its own. */
function arnParts<T>(items: readonly T[], isColon: (item: T) => boolean): T[][] | undefined {
  const parts: T[][] = [[]];
  for (const item of items) {
    if (parts.length < 6 && isColon(item)) parts.push([]);
    else parts[parts.length - 1]!.push(item);
  }
  return parts.length === 6 ? parts : undefined;
}

/** A policy value read for its operator: a test of one request value. */
type ValueTest = (requestValue: string) => boolean;

function arnTest(tokens: readonly Token[]): ValueTest {
  // Split the pattern's literal text into single characters so that a ':' in it can split parts.
  const pieces = tokens.flatMap((t): Token[] => (t.kind === 'text' ? Array.from(t.text, (ch) => ({ kind: 'text', text: ch })) : [t]));
  const patternParts = arnParts(pieces, (t) => t.kind === 'text' && t.text === ':')?.map(globFromTokens);
  // A pattern that is not ARN-shaped (`*`) is matched against the whole value.
  if (!patternParts) {
    const whole = globFromTokens(tokens);
    return (value) => globMatches(whole, value);
  }
  return (value) => {
    const valueParts = arnParts(Array.from(value), (ch) => ch === ':');
    return valueParts !== undefined && patternParts.every((glob: Glob, i) => globMatches(glob, valueParts[i]!.join('')));
  };
}

function valueTest(reading: Reading, raw: string, ctx: RequestContext, variables: boolean): ValueTest | typeof NEVER | Unknown {
  const wildcards = reading === 'glob' || reading === 'arn';
  // IAM resolves policy variables in string and ARN operators only.
  const tokens = reading === 'bool' ? [{ kind: 'text' as const, text: raw }] : tokenize(raw, ctx, { variables, wildcards });
  if (tokens === NEVER || isUnknown(tokens)) return tokens;
  if (reading === 'glob') {
    const glob = globFromTokens(tokens);
    return (value) => globMatches(glob, value);
  }
  if (reading === 'arn') return arnTest(tokens);
  const text = textOf(tokens);
  if (reading === 'text') return (value) => value === text;
  return (value) => value.toLowerCase() === text.toLowerCase();
}

/** Whether one request value matches any of the entry's policy values (the OR across values). */
function matchesAny(entry: ConditionEntry, reading: Reading, ctx: RequestContext, variables: boolean): (value: string) => Tri {
  const tests = entry.values.map((raw) => valueTest(reading, raw, ctx, variables));
  return (value) => anyOf(tests, (test) => (test === NEVER ? false : isUnknown(test) ? test : test(value)));
}

function nullCheck(entry: ConditionEntry, absent: boolean): Tri {
  return anyOf(entry.values, (raw) => {
    const wanted = raw.toLowerCase();
    if (wanted !== 'true' && wanted !== 'false') return { unknown: `Null on ${entry.key} needs true or false` };
    return (wanted === 'true') === absent;
  });
}

/** One operator on one key. */
export function evaluateCondition(entry: ConditionEntry, ctx: RequestContext, variables: boolean): Tri {
  const operator = parseOperator(entry.operator);
  if (!operator) return { unknown: `condition operator ${entry.operator.slice(0, 64)} is not understood` };
  if (!ctx.isKnown(entry.key)) return { unknown: `condition key ${entry.key.slice(0, 128)} is not known for this request` };
  const requestValues = valuesOf(ctx, entry.key);
  const absent = requestValues.length === 0;
  if (operator.base === 'Null') return nullCheck(entry, absent);
  const { reading, negated } = operator.base;
  const matches = matchesAny(entry, reading, ctx, variables);
  const passes = (value: string): Tri => (negated ? not(matches(value)) : matches(value));
  switch (operator.qualifier) {
    case 'all':
      return absent ? true : allOf(requestValues, passes);
    case 'any':
      return absent ? operator.ifExists : anyOf(requestValues, passes);
    default:
      if (absent) return operator.ifExists || negated;
      // Without a qualifier a multivalued key is read as IAM does: matched if any value matches.
      return negated ? not(anyOf(requestValues, matches)) : anyOf(requestValues, matches);
  }
}

/** A statement's Condition block: every entry must hold. */
export function evaluateConditions(entries: readonly ConditionEntry[], ctx: RequestContext, variables: boolean): Tri {
  return allOf(entries, (entry) => evaluateCondition(entry, ctx, variables));
}
