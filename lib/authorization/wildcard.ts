/**
 * IAM's wildcards (`*`: any run of characters, `?`: one character) matched without regular
 * expressions: a pattern comes from a policy document, which is input we do not control, and a
 * RegExp built from it could backtrack exponentially on `*a*a*a*...b`. A pattern is split at its
 * stars into segments; the first is anchored at the start, the last at the end, and each middle
 * one is placed at its leftmost fit (leftmost is never worse for the segments after it). The work
 * is at most the text's length times the pattern's literal length, which cannot exceed the text's
 * length for a pattern that can match: quadratic in the text at worst, never exponential.
 */

/** One character class of a segment: a literal character, or `?` (null): any one character. */
type Slot = string | null;

export interface Glob {
  /** The pattern split at its stars; one segment means no star. */
  readonly segments: readonly (readonly Slot[])[];
  /** Sum of the segments' lengths: the fewest characters a matching text has. */
  readonly minLength: number;
}

/** A piece of a pattern: literal text (from the policy, or a policy variable's value), `*` or `?`. */
export type Token = { kind: 'text'; text: string } | { kind: 'star' } | { kind: 'one' };

export function globFromTokens(tokens: readonly Token[]): Glob {
  const segments: Slot[][] = [[]];
  for (const token of tokens) {
    const current = segments[segments.length - 1]!;
    if (token.kind === 'star') segments.push([]);
    else if (token.kind === 'one') current.push(null);
    else for (const ch of token.text) current.push(ch);
  }
  return { segments, minLength: segments.reduce((sum, s) => sum + s.length, 0) };
}

/** A pattern with `*` and `?` as wildcards and every other character literal. */
export function globOf(pattern: string): Glob {
  const tokens: Token[] = [];
  for (const ch of pattern) tokens.push(ch === '*' ? { kind: 'star' } : ch === '?' ? { kind: 'one' } : { kind: 'text', text: ch });
  return globFromTokens(tokens);
}

function fitsAt(segment: readonly Slot[], text: readonly string[], at: number): boolean {
  if (at < 0 || at + segment.length > text.length) return false;
  for (let i = 0; i < segment.length; i++) {
    const slot = segment[i];
    if (slot !== null && slot !== text[at + i]) return false;
  }
  return true;
}

/** The leftmost position in [from, limit - segment.length] where the segment fits, or -1. */
function leftmostFit(segment: readonly Slot[], text: readonly string[], from: number, limit: number): number {
  for (let at = from; at + segment.length <= limit; at++) if (fitsAt(segment, text, at)) return at;
  return -1;
}

/** Whether the whole text matches the glob (case-sensitive; callers fold case when IAM does). */
export function globMatches(glob: Glob, value: string): boolean {
  const text = Array.from(value);
  const { segments } = glob;
  if (glob.minLength > text.length) return false;
  const first = segments[0]!;
  if (segments.length === 1) return first.length === text.length && fitsAt(first, text, 0);
  const last = segments[segments.length - 1]!;
  const end = text.length - last.length;
  if (!fitsAt(first, text, 0) || !fitsAt(last, text, end)) return false;
  let position = first.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    const at = leftmostFit(segment, text, position, end);
    if (at < 0) return false;
    position = at + segment.length;
  }
  return position <= end;
}
