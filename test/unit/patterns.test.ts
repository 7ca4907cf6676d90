import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../lib/contract/validate.js';
import { PATTERN_SAMPLES, patternCases, patternedShapes, referenceAnswer } from '../bench/patterns.js';

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
  });

  it('answers the case that took 14.6 s with RegExp: userToken "a" x 3000 + "!"', () => {
    const userToken = patternedShapes().find((s) => s.shape === 'UserTokenType')!;
    expect(matchesPattern(userToken.pattern, 'a'.repeat(3000) + '!')).toBe(false);
    expect(matchesPattern(userToken.pattern, 'a'.repeat(131_071) + '!')).toBe(false);
    expect(matchesPattern(userToken.pattern, 'a'.repeat(131_072))).toBe(true); // `.` in the model's pattern is any character
  });
});
