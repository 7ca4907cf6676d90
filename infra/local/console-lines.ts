import { createInterface } from 'node:readline';
import type { LaunchLinks, RunningConsole } from '../../lib/console/server.js';

/**
 * What `npm run console` and `npm start` print about the console: the link to open (its secret
 * *.localhost name), the 127.0.0.1 fallback with what it costs, and, when someone can press it,
 * how to get a new link.
 */
export function launchLines(links: LaunchLinks, interactive: boolean): string[] {
  return [
    `Operator console: ${links.launchUrl}  (the link works once: it signs this browser in)`,
    `  If the browser cannot open *.localhost names: ${links.fallbackLaunchUrl}  (the same single link; its cookie is sent to every other server on 127.0.0.1, whatever the port)`,
    ...(interactive ? ['  Press Enter here for a new link (a lost link, another browser); browsers already signed in stay signed in.'] : []),
  ];
}

/** Whether Enter can ask for a new link: stdin is a terminal. */
export const interactive = (): boolean => process.stdin.isTTY === true;

/** On a terminal, each Enter prints a fresh single-use link (the previous unspent one dies). */
export function reissueOnEnter(running: Pick<RunningConsole, 'reissue'>, print: (line: string) => void): void {
  if (!interactive()) return;
  const lines = createInterface({ input: process.stdin });
  lines.on('line', () => print(`\n${launchLines(running.reissue(), false).join('\n')}\n`));
}
