import { describe, expect, it } from 'vitest';
import { outputLines } from '../../infra/local/output-lines.js';

/**
 * The offline stack reads its children's output through outputLines (infra/local/stack.ts,
 * emulator.ts). Work and memory are counted, not timed: every character is examined once, and
 * what is held stays under a fixed bound however long the children print.
 */
describe('offline stack output handling', () => {
  it('examines each character once and holds a bounded amount, however many chunks arrive', () => {
    const seen: string[] = [];
    let count = 0;
    const lines = outputLines((line) => {
      count += 1;
      if (line.startsWith('Server ready')) seen.push(line);
    }, { maxLineLength: 1024, tailLines: 10 });
    let fed = 0;
    const feed = (chunk: string) => {
      fed += chunk.length;
      lines.push(Buffer.from(chunk));
    };
    // 20,000 request log lines, each split over two chunks, then a ready line split mid-word,
    // then one endless line without a newline over 5,000 chunks.
    for (let i = 0; i < 20_000; i++) {
      feed(`127.0.0.1 - - [22/Nov/2026] "POST / HTTP/1.1" 200 `);
      feed(`- request ${i}\n`);
    }
    feed('Server re');
    feed('ady: http://127.0.0.1:4000 🚀\nnext');
    for (let i = 0; i < 5_000; i++) feed('x'.repeat(200));

    expect(seen).toEqual(['Server ready: http://127.0.0.1:4000 🚀']);
    expect(count).toBe(20_001);
    // Linear: each character is examined exactly once (a rescan per chunk would be ~n²/2).
    expect(lines.stats.scanned).toBe(fed);
    // Bounded: the unfinished line is cut at its cap, and only the last few lines are kept.
    expect(lines.stats.maxHeld).toBeLessThanOrEqual(1024 * 11);
    expect(lines.stats.held).toBeLessThanOrEqual(1024 * 11);
    expect(lines.tail()).toContain('Server ready');
  });

  it('delivers lines split anywhere across chunks, and CRLF lines without their CR', () => {
    const got: string[] = [];
    const lines = outputLines((line) => got.push(line));
    for (const chunk of ['a', 'b\r', '\nc\n', '', '\n', 'd']) lines.push(chunk);
    expect(got).toEqual(['ab', 'c', '']);
    lines.push('e\n');
    expect(got).toEqual(['ab', 'c', '', 'de']);
  });
});
