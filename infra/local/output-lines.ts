/**
 * A child's output, line by line, in bounded memory: each character is looked at once, only the
 * unfinished last line is kept (cut at `maxLineLength`), plus a short tail of recent lines for
 * error messages. The offline stack's children print a line per request for as long as they run,
 * so anything that keeps or rescans everything they printed grows without end.
 */
export interface OutputLines {
  /** Feeds a chunk; calls `onLine` for every line it completes. */
  push(chunk: Buffer | string): void;
  /** The last lines seen, for an error message. */
  tail(): string;
  /** Work and memory, for tests: characters examined in total, and characters held now. */
  readonly stats: { scanned: number; held: number; maxHeld: number };
}

export function outputLines(onLine: (line: string) => void, options: { maxLineLength?: number; tailLines?: number } = {}): OutputLines {
  const maxLineLength = options.maxLineLength ?? 16 * 1024;
  const tailLines = options.tailLines ?? 20;
  let partial = '';
  const recent: string[] = [];
  const stats = { scanned: 0, held: 0, maxHeld: 0 };

  const complete = (line: string) => {
    const text = (line.endsWith('\r') ? line.slice(0, -1) : line).slice(0, maxLineLength);
    recent.push(text);
    if (recent.length > tailLines) recent.shift();
    onLine(text);
  };
  const measure = () => {
    stats.held = partial.length + recent.reduce((sum, line) => sum + line.length, 0);
    stats.maxHeld = Math.max(stats.maxHeld, stats.held);
  };

  return {
    stats,
    push(chunk) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      stats.scanned += text.length;
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        complete(partial + text.slice(start, Math.min(end, start + maxLineLength)));
        partial = '';
        start = end + 1;
      }
      // A line longer than the cap is cut: what readiness checks look for is short.
      if (partial.length < maxLineLength) partial += text.slice(start, start + maxLineLength - partial.length);
      measure();
    },
    tail() {
      return [...recent, partial].join('\n').slice(-2000);
    },
  };
}
