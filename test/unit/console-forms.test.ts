import { describe, expect, it } from 'vitest';
import { lines, posted, when } from '../../lib/console/forms.js';

describe('console form helpers', () => {
  it('shows epoch seconds and Dates as UTC minutes', () => {
    expect(when(0)).toBe('1970-01-01 00:00 UTC');
    expect(when(1_700_000_000)).toBe('2023-11-14 22:13 UTC');
    expect(when(new Date('2026-11-23T01:02:59.999Z'))).toBe('2026-11-23 01:02 UTC');
    expect(when(undefined)).toBe('');
  });

  it('shows nothing for a time no Date holds (an expiry stored from `expires_in: 1e15`) instead of throwing', () => {
    const stored = Math.floor((Date.now() + 1e15 * 1000) / 1000);
    for (const value of [stored, 1e15, Number.MAX_SAFE_INTEGER, Infinity, -Infinity, NaN, new Date(NaN), new Date(8.64e15 + 1)]) {
      expect(when(value), String(value)).toBe('');
    }
    // The largest time a Date holds is still shown.
    expect(when(8.64e12)).toBe('+275760-09-13 00:00 UTC');
  });

  it('reads posted values trimmed and one-per-line lists without blanks', () => {
    expect(posted(new URLSearchParams({ name: '  agent \n' }), 'name')).toBe('agent');
    expect(posted(new URLSearchParams(), 'name')).toBe('');
    expect(lines(' https://a.example/back \r\n\n https://b.example \n')).toEqual(['https://a.example/back', 'https://b.example']);
    expect(lines(null)).toEqual([]);
  });
});
