import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { LinearMatcher } from '../../lib/contract/linear-matcher.js';
import { plainRegExp } from '../../lib/contract/patterns.js';
import { matchesPattern } from '../../lib/contract/validate.js';
import { PATTERN_SAMPLES, patternCases, patternedShapes, referenceAnswer } from '../bench/patterns.js';

/** Characters whose meaning differs between RE2 and RegExp (\s, `.`, code points), in and around a valid value. */
const EDGES = ['', '\n', '\r', '\v', '\t', '\f', ' ', '\u00a0', '\u2028', '\u2029', '\ufeff', '\u0000', 'é', '😀', '😀😀', 'a\nb', '\x7f'];

describe('model patterns through the linear engine', () => {
  it('has a valid sample for every pattern of the contract, and accepts it', () => {
    for (const { shape, pattern } of patternedShapes()) {
      expect(PATTERN_SAMPLES[shape], shape).toBeDefined();
      expect(matchesPattern(pattern, PATTERN_SAMPLES[shape]!), shape).toBe(true);
    }
  });

  it('matches whole values only', () => {
    expect(matchesPattern('[A-Za-z0-9_.-]+', 'agent$')).toBe(false);
    expect(matchesPattern('[A-Za-z0-9_.-]+', 'x\nagent')).toBe(false);
    expect(matchesPattern('(client_secret_post|client_secret_basic)', 'client_secret_post_x')).toBe(false);
  });

  it('answers every adversarial input at its maximum length as a backtracking engine does on its short form', () => {
    const shapesSeen = new Set<string>();
    let count = 0;
    const wrong: string[] = [];
    for (const c of patternCases()) {
      shapesSeen.add(c.shape);
      count++;
      const expected = referenceAnswer(c.pattern, c.short);
      if (matchesPattern(c.pattern, c.input) !== expected) wrong.push(`${c.shape}: ${JSON.stringify(c.short)} (expected ${expected})`);
    }
    expect(wrong).toEqual([]);
    expect(shapesSeen.size).toBe(patternedShapes().length);
    expect(count).toBeGreaterThan(1000);
    // 54,540 inputs of up to 131,072 characters: about 2 s of CPU, which a loaded machine stretches.
  }, 30_000);

  it('answers the case that took 14.6 s with RegExp: userToken "a" x 3000 + "!"', () => {
    const userToken = patternedShapes().find((s) => s.shape === 'UserTokenType')!;
    expect(matchesPattern(userToken.pattern, 'a'.repeat(3000) + '!')).toBe(false);
    expect(matchesPattern(userToken.pattern, 'a'.repeat(131_071) + '!')).toBe(false);
    expect(matchesPattern(userToken.pattern, 'a'.repeat(131_072))).toBe(true); // `.` in the model's pattern is any character
  });
});

/** RE2 (re2js, the engine the service used before) as the oracle: every answer of ours must be its answer. */
const oracle = new Map<string, RE2JS>();
const re2 = (pattern: string, value: string) => (oracle.get(pattern) ?? oracle.set(pattern, RE2JS.compile(pattern)).get(pattern)!).testExact(value);

describe('which patterns run on RegExp', () => {
  it('runs on RegExp only single-character atoms with at most one variable quantifier', () => {
    const plain = patternedShapes().filter(({ pattern }) => plainRegExp(pattern)).map(({ shape }) => shape);
    // The hot paths (names, scopes, tags) are plain; userToken, ARNs and URLs stay on RE2.
    expect(plain).toEqual(expect.arrayContaining(['WorkloadIdentityNameType', 'CredentialProviderName', 'AllowedScopeType', 'TagKey', 'TagValue']));
    expect(plain).not.toContain('UserTokenType');
    expect(plain).not.toContain('ResourceOauth2ReturnUrlType');
    for (const superlinear of ['a*a*b', '[a-z]+.[a-z]+', '[a-z]+[0-9]*', '(a+)+', '(a|b)*', 'x+y?', 'a{2,}b*', 'a+?', '(ab)', 'a|b']) {
      expect(plainRegExp(superlinear), superlinear).toBeUndefined();
    }
    // RE2 reads `]` first in a class as a character, RegExp as the end.
    expect(plainRegExp('[]a]+')).toBeUndefined();
    expect(plainRegExp('[^]a]+')).toBeUndefined();
    expect(plainRegExp('[a-z]{3}-[0-9]+x{2}')).toBeDefined();
  });

  it('answers as RE2 does on every adversarial input, and on the characters the engines read differently', () => {
    const wrong: string[] = [];
    for (const { shape, pattern } of patternedShapes()) {
      const regexp = plainRegExp(pattern);
      if (!regexp) continue;
      const sample = PATTERN_SAMPLES[shape]!;
      const values = EDGES.flatMap((e) => [e, sample + e, e + sample, sample.slice(0, 1) + e + sample.slice(1)]);
      for (const value of values) if (regexp.test(value) !== re2(pattern, value)) wrong.push(`${shape}: ${JSON.stringify(value)}`);
    }
    // The short forms (the long ones are checked against them above).
    for (const c of patternCases()) {
      const regexp = plainRegExp(c.pattern);
      if (regexp && regexp.test(c.short) !== re2(c.pattern, c.short)) wrong.push(`${c.shape}: ${JSON.stringify(c.short)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('the linear matcher', () => {
  it('answers as RE2 does for every pattern of the model, on samples, the characters engines read differently and the adversarial short forms', () => {
    const wrong: string[] = [];
    for (const { shape, pattern } of patternedShapes()) {
      const matcher = new LinearMatcher(pattern);
      const sample = PATTERN_SAMPLES[shape]!;
      const values = EDGES.flatMap((e) => [e, sample + e, e + sample, sample.slice(0, 1) + e + sample.slice(1), sample.slice(0, -1)]);
      for (const value of values) if (matcher.matches(value) !== re2(pattern, value)) wrong.push(`${shape}: ${JSON.stringify(value)}`);
    }
    const matchers = new Map<string, LinearMatcher>();
    for (const c of patternCases()) {
      const matcher = matchers.get(c.pattern) ?? matchers.set(c.pattern, new LinearMatcher(c.pattern)).get(c.pattern)!;
      if (matcher.matches(c.short) !== re2(c.pattern, c.short)) wrong.push(`${c.shape}: ${JSON.stringify(c.short)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('reads the syntax as RE2 does: groups, alternation, counts, anchors, classes', () => {
    const cases: [string, string[]][] = [
      ['(ab|c)+d?', ['ab', 'abcab', 'cd', 'abd', '', 'a', 'abdd', 'ca']],
      ['x{2,3}(?:y|z){0,2}', ['xx', 'xxx', 'xxxx', 'xxyz', 'xxyzy', 'x']],
      ['a$|^b.*', ['a', 'b', 'bxyz', 'ab', 'b\n', '']],
      ['[]a-c]+[^\\d\\s]', [']ab!', 'abc1', 'a x', 'cc😀', ']']],
      ['\\x41\\.[\\x{1F600}-\\x{1F64F}]', ['A.😀', 'A.a', 'Ax😀']],
      ['(a*)*b', ['b', 'aaab', 'aaa']],
    ];
    for (const [pattern, values] of cases) for (const value of values) expect(new LinearMatcher(pattern).matches(value), `${pattern} ${JSON.stringify(value)}`).toBe(re2(pattern, value));
    for (const unsupported of ['(?=a)', 'a{', '\\p{L}', '[[:alpha:]]', '(a', 'a)', '*a', '\\1']) expect(() => new LinearMatcher(unsupported), unsupported).toThrow(/not supported/);
  });

  it('reads each value once: no value makes it backtrack (a million-character near miss of userToken)', () => {
    const userToken = patternedShapes().find((s) => s.shape === 'UserTokenType')!;
    const matcher = new LinearMatcher(userToken.pattern);
    expect(matcher.matches('a'.repeat(1_000_000) + '!')).toBe(false);
    expect(matcher.matches('a'.repeat(1_000_000))).toBe(true);
  });
});
