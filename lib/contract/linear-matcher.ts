/**
 * Whole-value matching in time linear in the value, for the model's patterns that RegExp could be
 * made to backtrack on (see ./patterns.ts). The pattern becomes a Thompson automaton, and the
 * value is read once, left to right, carrying the set of states it may be in (a Pike VM without
 * captures): each character costs at most one visit per state, whatever the value, so no value
 * can make it backtrack. The syntax is RE2's, as far as the model uses it (./pattern-syntax.ts).
 */
import { Parser, type Node } from './pattern-syntax.js';

/** The automaton: `next` states per instruction; CHAR consumes a code point in `sets[pc]`. */
const CHAR = 0, SPLIT = 1, JUMP = 2, MATCH = 3, BEGIN = 4, END = 5;

class Program {
  readonly op: number[] = [];
  readonly x: number[] = [];
  readonly y: number[] = [];
  readonly sets: ({ ranges: number[]; negated: boolean } | undefined)[] = [];

  emit(op: number, set?: { ranges: number[]; negated: boolean }): number {
    this.op.push(op);
    this.x.push(-1);
    this.y.push(-1);
    this.sets.push(set);
    return this.op.length - 1;
  }

  compile(node: Node): void {
    switch (node.t) {
      case 'set':
        this.x[this.emit(CHAR, node)] = this.op.length;
        return;
      case 'begin':
      case 'end':
        this.x[this.emit(node.t === 'begin' ? BEGIN : END)] = this.op.length;
        return;
      case 'cat':
        for (const item of node.items) this.compile(item);
        return;
      case 'alt':
        return this.alternatives(node.items);
      case 'rep':
        return this.repeat(node.item, node.min, node.max);
    }
  }

  private alternatives(items: Node[]): void {
    if (items.length === 1) return this.compile(items[0]!);
    const split = this.emit(SPLIT);
    this.x[split] = this.op.length;
    this.compile(items[0]!);
    const jump = this.emit(JUMP);
    this.y[split] = this.op.length;
    this.alternatives(items.slice(1));
    this.x[jump] = this.op.length;
  }

  private repeat(item: Node, min: number, max: number): void {
    for (let n = 0; n < min; n++) this.compile(item);
    if (max === Infinity) {
      const split = this.emit(SPLIT);
      this.x[split] = this.op.length;
      this.compile(item);
      this.x[this.emit(JUMP)] = split;
      this.y[split] = this.op.length;
      return;
    }
    const splits: number[] = [];
    for (let n = min; n < max; n++) {
      const split = this.emit(SPLIT);
      splits.push(split);
      this.x[split] = this.op.length;
      this.compile(item);
    }
    for (const split of splits) this.y[split] = this.op.length;
  }
}

function inSet(set: { ranges: number[]; negated: boolean }, cp: number): boolean {
  let found = false;
  for (let i = 0; i < set.ranges.length && !found; i += 2) found = cp >= set.ranges[i]! && cp <= set.ranges[i + 1]!;
  return found !== set.negated;
}

/** A set of automaton states, as the value is read: built once, its transitions cached (a lazy DFA). */
interface State {
  pcs: number[];
  ascii: Int32Array;
  other: Map<number, number>;
}

/** Beyond this many cached sets the cache starts over: memory stays bounded, time stays linear. */
const MAX_STATES = 2000;

export class LinearMatcher {
  private readonly program = new Program();
  private readonly seen: Int32Array;
  private mark = 0;
  private states: State[] = [];
  private index = new Map<string, number>();

  constructor(pattern: string) {
    this.program.compile(new Parser(pattern).parse());
    this.program.emit(MATCH);
    this.seen = new Int32Array(this.program.op.length).fill(-1);
  }

  /** True when the whole value matches; one pass over its code points, each step a cached transition or one visit per automaton state. */
  matches(value: string): boolean {
    if (value.length === 0) return this.closure([0], true, true).some((pc) => this.program.op[pc] === MATCH);
    if (this.states.length > MAX_STATES) (this.states = []), (this.index = new Map());
    let state = this.stateOf(this.closure([0], true, false));
    for (let pos = 0; pos < value.length; ) {
      const cp = value.codePointAt(pos)!;
      pos += cp > 0xffff ? 2 : 1;
      state = this.step(state, cp);
      if (this.states[state]!.pcs.length === 0) return false;
    }
    // At the end of the value, `$` holds: the states waiting on it may go on to a match.
    return this.closure(this.states[state]!.pcs, false, true).some((pc) => this.program.op[pc] === MATCH);
  }

  private step(state: number, cp: number): number {
    const from = this.states[state]!;
    const cached = cp < 128 ? from.ascii[cp]! : (from.other.get(cp) ?? -1);
    if (cached >= 0) return cached;
    const { op, x, sets } = this.program;
    const targets = from.pcs.filter((pc) => op[pc] === CHAR && inSet(sets[pc]!, cp)).map((pc) => x[pc]!);
    const next = this.stateOf(this.closure(targets, false, false));
    if (cp < 128) from.ascii[cp] = next;
    else if (from.other.size < 256) from.other.set(cp, next);
    return next;
  }

  private stateOf(pcs: number[]): number {
    const key = pcs.join(',');
    let id = this.index.get(key);
    if (id === undefined) {
      id = this.states.push({ pcs, ascii: new Int32Array(128).fill(-1), other: new Map() }) - 1;
      this.index.set(key, id);
    }
    return id;
  }

  /** The states reachable from `starts` without reading a character: those that wait for one, for `$`, or match. */
  private closure(starts: number[], atBegin: boolean, atEnd: boolean): number[] {
    const { op, x, y } = this.program;
    const mark = ++this.mark;
    const out: number[] = [];
    const stack = [...starts].reverse();
    while (stack.length > 0) {
      const at = stack.pop()!;
      if (this.seen[at] === mark) continue;
      this.seen[at] = mark;
      const code = op[at];
      if (code === JUMP) stack.push(x[at]!);
      else if (code === SPLIT) stack.push(y[at]!, x[at]!);
      else if (code === BEGIN) atBegin && stack.push(x[at]!);
      else if (code === END && atEnd) stack.push(x[at]!);
      else out.push(at);
    }
    return out.sort((a, b) => a - b);
  }
}
