/**
 * The syntax of the model's patterns, as RE2 reads it (the part the model uses): literals,
 * escapes, classes, `.`, groups, alternation, greedy or lazy quantifiers, `^` and `$`. Anything
 * else throws, so a new construct in a regenerated model fails loudly, never silently.
 */
export type Node =
  | { t: 'set'; ranges: number[]; negated: boolean }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; item: Node; min: number; max: number }
  | { t: 'begin' }
  | { t: 'end' };

const DIGIT = [0x30, 0x39];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
/** RE2's \s: [\t\n\f\r ]. */
const SPACE = [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20];
const CLASS_ESCAPES: Record<string, [number[], boolean]> = { d: [DIGIT, false], D: [DIGIT, true], w: [WORD, false], W: [WORD, true], s: [SPACE, false], S: [SPACE, true] };
const CONTROL_ESCAPES: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13 };
const MAX_REPEAT = 1000;

export class Parser {
  private i = 0;
  constructor(private readonly source: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.source.length) this.fail('unbalanced )');
    return node;
  }

  private fail(why: string): never {
    throw new Error(`pattern not supported by the linear matcher (${why}): ${this.source}`);
  }

  private peek(): string | undefined {
    return this.source[this.i];
  }

  private alternation(): Node {
    const items = [this.concatenation()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.concatenation());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private concatenation(): Node {
    const items: Node[] = [];
    while (this.i < this.source.length && this.peek() !== '|' && this.peek() !== ')') items.push(this.repetition());
    return { t: 'cat', items };
  }

  private repetition(): Node {
    let node = this.atom();
    for (;;) {
      const c = this.peek();
      let bounds: [number, number] | undefined;
      if (c === '*') bounds = [0, Infinity];
      else if (c === '+') bounds = [1, Infinity];
      else if (c === '?') bounds = [0, 1];
      else if (c === '{') bounds = this.counted();
      if (!bounds) return node;
      if (c !== '{') this.i++;
      // Lazy or greedy matches the same set of whole values.
      if (this.peek() === '?') this.i++;
      if (node.t === 'rep' || node.t === 'begin' || node.t === 'end') this.fail('repeated repetition or anchor');
      node = { t: 'rep', item: node, min: bounds[0], max: bounds[1] };
    }
  }

  private counted(): [number, number] {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.i));
    if (!m) this.fail('a { that is not a repetition');
    this.i += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > max || min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.fail('bad repetition count');
    return [min, max];
  }

  private atom(): Node {
    const c = this.peek()!;
    if (c === '(') {
      this.i += this.source.startsWith('(?:', this.i) ? 3 : 1;
      if (this.peek() === '?') this.fail('group flags or lookaround');
      const inner = this.alternation();
      if (this.peek() !== ')') this.fail('unclosed (');
      this.i++;
      return inner;
    }
    this.i++;
    if (c === '[') return this.characterClass();
    if (c === '.') return { t: 'set', ranges: [0x0a, 0x0a], negated: true };
    if (c === '^') return { t: 'begin' };
    if (c === '$') return { t: 'end' };
    if (c === '\\') return this.escape(false) as Node;
    if ('*+?{'.includes(c)) this.fail('nothing to repeat');
    const cp = this.source.codePointAt(this.i - 1)!;
    if (cp > 0xffff) this.i++;
    return { t: 'set', ranges: [cp, cp], negated: false };
  }

  /** An escape after its backslash: a set, or (in a class) a code point. */
  private escape(inClass: boolean): Node | number {
    const c = this.source[this.i++];
    if (c === undefined) this.fail('trailing backslash');
    const named = CLASS_ESCAPES[c];
    if (named) return { t: 'set', ranges: named[0], negated: named[1] };
    let cp: number;
    if (c === 'x') {
      const m = /^(?:([0-9A-Fa-f]{2})|\{([0-9A-Fa-f]{1,6})\})/.exec(this.source.slice(this.i));
      if (!m) this.fail('bad \\x escape');
      this.i += m[0].length;
      cp = parseInt(m[1] ?? m[2]!, 16);
    } else if (CONTROL_ESCAPES[c] !== undefined) cp = CONTROL_ESCAPES[c];
    else if (/[^A-Za-z0-9]/.test(c)) cp = c.codePointAt(0)!;
    else return this.fail(`escape \\${c}`);
    return inClass ? cp : { t: 'set', ranges: [cp, cp], negated: false };
  }

  private characterClass(): Node {
    const negated = this.peek() === '^';
    if (negated) this.i++;
    const ranges: number[] = [];
    // RE2 reads a `]` first in a class as a character.
    for (let first = true; first || this.peek() !== ']'; first = false) {
      if (this.i >= this.source.length) this.fail('unclosed [');
      if (this.peek() === '[') this.fail('nested class');
      const low = this.classAtom();
      if (typeof low !== 'number') {
        const set = low as { ranges: number[]; negated: boolean };
        ranges.push(...(set.negated ? complement(set.ranges) : set.ranges));
      } else if (this.peek() === '-' && this.source[this.i + 1] !== ']' && this.i + 1 < this.source.length) {
        this.i++;
        const high = this.classAtom();
        if (typeof high !== 'number' || high < low) this.fail('bad range');
        ranges.push(low, high);
      } else ranges.push(low, low);
    }
    this.i++;
    return { t: 'set', ranges, negated };
  }

  private classAtom(): Node | number {
    const c = this.source[this.i++]!;
    if (c === '\\') return this.escape(true);
    const cp = this.source.codePointAt(this.i - 1)!;
    if (cp > 0xffff) this.i++;
    return cp;
  }
}

const MAX_CODE_POINT = 0x10ffff;

/** The code points not in `ranges` (pairs, ascending and disjoint, as the escapes' are). */
function complement(ranges: number[]): number[] {
  const out: number[] = [];
  let from = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i]! > from) out.push(from, ranges[i]! - 1);
    from = ranges[i + 1]! + 1;
  }
  if (from <= MAX_CODE_POINT) out.push(from, MAX_CODE_POINT);
  return out;
}
