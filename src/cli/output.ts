/**
 * Terminal output for the kemu command: colours when the terminal (or
 * FORCE_COLOR) wants them, tables that fit the terminal's width, and a
 * progress line on stderr that redraws in place and never wraps.
 */
import { stripVTControlCharacters } from 'node:util';
import { createRequire } from 'node:module';
import type TableConstructor from 'cli-table3';
import pc from 'picocolors';
import { fitWidths } from '../report/fit-widths.js';

/**
 * cli-table3, loaded at the first table: the main thread that supervises a
 * command only passes its text on, and starts the command's worker sooner
 * without it (12-20 ms of loading, measured).
 */
let loadedTable: typeof TableConstructor | undefined;
const tableClass = () => (loadedTable ??= createRequire(import.meta.url)('cli-table3') as typeof TableConstructor);

export type Colors = ReturnType<typeof pc.createColors>;

export interface Output {
  readonly color: Colors;
  /** Columns of the terminal stdout goes to; undefined when it is not a terminal (text is then not fitted). */
  readonly width: number | undefined;
  print(text?: string): void;
  /** A message for the person, on stderr: errors, notices. */
  error(text: string): void;
  table(head: string[], rows: (string | number)[][]): string;
  progress(text: string): void;
  endProgress(): void;
}

/** The streams and environment a terminal output writes to (the process's, or a test's). */
export interface Terminal {
  stdout: Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'columns'>;
  stderr: Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'columns'>;
  env: NodeJS.ProcessEnv;
}

/**
 * Whether to colour stdout, by Node's own rules (tty.WriteStream#getColorDepth):
 * FORCE_COLOR wins ('0' or 'false' turn colours off, anything else on), then
 * NO_COLOR or TERM=dumb turn them off, else colours only on a terminal.
 */
export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR || env.TERM === 'dumb') return false;
  return isTTY;
}

/** Visible width of a string: colour codes take no room. */
export const visibleWidth = (text: string): number => [...stripVTControlCharacters(text)].length;

/** Cuts `text` to `width` visible columns, ending with `…` when it had to cut (plain text only). */
function fitLine(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** What stdout is, as far as formatting for it goes: a terminal (how wide) or not. */
export type StdoutKind = Pick<NodeJS.WriteStream, 'isTTY' | 'columns'>;

/** How text for `stdout` is formatted: colours, width and tables (what a worker thread formatting for the main thread's stdout needs). */
export function outputFormat(stdout: StdoutKind, env: NodeJS.ProcessEnv): Pick<Output, 'color' | 'width' | 'table'> {
  const colorful = colorEnabled(env, stdout.isTTY === true);
  const width = stdout.isTTY ? stdout.columns || 80 : undefined;
  return {
    color: pc.createColors(colorful),
    width,
    table(head, rows) {
      const cells = rows.map((row) => row.map(String));
      const natural = head.map((h, i) => 2 + Math.max(visibleWidth(h), ...cells.map((r) => Math.max(...(r[i] ?? '').split('\n').map(visibleWidth)))));
      const Table = tableClass();
      const t = new Table({
        head,
        style: colorful ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
        ...(width ? { colWidths: fitWidths(natural, width - head.length - 1), wordWrap: true, wrapOnWordBoundary: true } : {}),
      });
      for (const row of cells) t.push(row);
      return t.toString();
    },
  };
}

export function terminalOutput(terminal: Terminal = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Output {
  const { stdout, stderr, env } = terminal;
  const progressOn = stderr.isTTY === true;
  let progressShown = false;
  return {
    ...outputFormat(stdout, env),
    print: (text = '') => void stdout.write(`${text}\n`),
    error: (text) => void stderr.write(`${text}\n`),
    progress(text) {
      if (!progressOn) return;
      // One row only: a line that wraps leaves copies behind, since \r\x1b[K clears just the last row.
      stderr.write(`\r\x1b[K${fitLine(text, (stderr.columns || 80) - 1)}`);
      progressShown = true;
    },
    endProgress() {
      if (progressShown) stderr.write('\r\x1b[K');
      progressShown = false;
    },
  };
}
