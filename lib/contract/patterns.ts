/**
 * Whole-value matching of the model's patterns, in time linear in the value, whatever the value.
 *
 * A pattern that is a plain sequence of single-character atoms (literals, escapes, classes, `.`)
 * of which at most one carries a variable quantifier (`*`, `+`, `?`, `{m,n}`) runs on RegExp:
 * anchored at both ends, the engine's only choice is how many characters that one atom takes
 * (at most n + 1 choices, each one code point apart), and each choice is followed by a fixed-length
 * remainder, so a match costs O(n x pattern length). Any other pattern (groups, alternation, two
 * variable atoms such as userToken's `[..]+.[..]+`, which RegExp backtracks on for seconds) runs
 * on ./linear-matcher.ts, whose time is linear by construction (RE2's approach, in a few hundred
 * lines: re2js weighed 150 KB, parsed at every cold start of the functions that validate).
 *
 * The plain translation keeps RE2's meaning where RegExp's differs: `\s` is RE2's [\t\n\f\r ],
 * `.` is any character but \n, and the `u` flag makes lengths and classes count code points.
 */
import { LinearMatcher } from './linear-matcher.js';

const plain = new Map<string, RegExp | null>();
const linear = new Map<string, LinearMatcher>();

/** Whole-value match of a model pattern, in time linear in the value; each pattern is compiled on first use. */
export function matchesPattern(pattern: string, value: string): boolean {
  const regexp = plainRegExp(pattern);
  if (regexp) return regexp.test(value);
  let matcher = linear.get(pattern);
  if (!matcher) linear.set(pattern, (matcher = new LinearMatcher(pattern)));
  return matcher.matches(value);
}

/** The RegExp a pattern may safely run as, or undefined (see above). */
export function plainRegExp(pattern: string): RegExp | undefined {
  if (!plain.has(pattern)) {
    const source = plainSource(pattern);
    plain.set(pattern, source === undefined ? null : compiles(source));
  }
  return plain.get(pattern) ?? undefined;
}

/** The anchored RegExp, or null for a translation RegExp refuses (such as a class escape in a range). */
function compiles(source: string): RegExp | null {
  try {
    return new RegExp(`^(?:${source})$`, 'u');
  } catch {
    return null;
  }
}

const SPACE = '\\t\\n\\f\\r\\x20';
const NOT_SPACE = '\\0-\\x08\\x0B\\x0E-\\x1F\\x21-\\u{10FFFF}';
/** Escapes that mean the same in RE2 and in RegExp with the `u` flag (the `\s` family is translated). */
const SAME_ESCAPE = /^\\(x[0-9A-Fa-f]{2}|[dw.\-\/\\\]\[*+?(){}|^$])/;
const QUANTIFIER = /^(\*|\+|\?|\{(\d+)\}|\{\d+,\d*\})/;

/** One atom of a plain pattern, translated, and the length of its text; undefined when not plain. */
function atom(rest: string): [string, number] | undefined {
  if (rest.startsWith('[')) return characterClass(rest);
  if (rest.startsWith('.')) return ['[^\\n]', 1];
  if (rest.startsWith('\\s')) return [`[${SPACE}]`, 2];
  if (rest.startsWith('\\S')) return [`[${NOT_SPACE}]`, 2];
  // `\-` is an escape RegExp takes only inside a class: outside, the plain character.
  if (rest.startsWith('\\-')) return ['-', 2];
  const escape = SAME_ESCAPE.exec(rest);
  if (escape) return [escape[0], escape[0].length];
  return /^[A-Za-z0-9_:\-\/=@#,%&~'"<>!;` ]/.test(rest) ? [rest[0]!, 1] : undefined;
}

function characterClass(rest: string): [string, number] | undefined {
  let out = '[';
  let i = 1;
  if (rest[i] === '^') (out += '^'), i++;
  // RE2 reads a `]` right after `[` or `[^` as a character, RegExp as the end: not plain.
  const first = i;
  for (; i < rest.length && rest[i] !== ']'; ) {
    const part = rest.slice(i);
    if (part.startsWith('\\s')) (out += SPACE), (i += 2);
    else if (part.startsWith('\\S')) (out += NOT_SPACE), (i += 2);
    else if (SAME_ESCAPE.test(part)) (out += SAME_ESCAPE.exec(part)![0]), (i += SAME_ESCAPE.exec(part)![0].length);
    else if (/^[^\\[]/.test(part)) (out += part[0]), i++;
    else return undefined;
  }
  return i < rest.length && i > first ? [`${out}]`, i + 1] : undefined;
}

function plainSource(pattern: string): string | undefined {
  let out = '';
  let variable = 0;
  for (let i = 0; i < pattern.length; ) {
    const found = atom(pattern.slice(i));
    if (!found) return undefined;
    out += found[0];
    i += found[1];
    const quantifier = QUANTIFIER.exec(pattern.slice(i));
    if (!quantifier) continue;
    // A fixed count ({12}) makes no choice; any other quantifier does, and only one may.
    if (quantifier[2] === undefined && ++variable > 1) return undefined;
    out += quantifier[0];
    i += quantifier[0].length;
    if (pattern[i] === '?' || pattern[i] === '+') return undefined; // lazy or possessive
  }
  return out;
}
