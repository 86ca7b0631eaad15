/**
 * Runs the kemu command in-process, as the tests of the command use it: the
 * built-in catalog loaded first as bin/kemu.ts loads it (or other plug-ins),
 * an output that records stdout and stderr without colours, and an interrupt
 * source the test controls.
 */
import pc from 'picocolors';
import { main } from '../../src/cli/main.js';
import type { InterruptSource } from '../../src/cli/interrupt.js';
import type { Output } from '../../src/cli/output.js';

/** The built-in catalog's module, the plug-in bin/kemu.ts loads first. */
export const BUILTIN = new URL('../../catalog/builtin.ts', import.meta.url).href;

export interface KemuRun {
  code: number;
  /** What went to stdout, lines joined. */
  text: string;
  /** What went to stderr. */
  errors: string;
}

export interface KemuOptions {
  /** The plug-ins loaded before the config file and `--load` modules (default: the built-in catalog). */
  plugins?: readonly string[];
  /** Called on each progress update (about twice a second on long explorations). */
  onProgress?: (text: string) => void;
  interrupts?: InterruptSource;
}

/** A plain Output (no colours, `a | b` tables) that records what is printed. */
export function recordingOutput(onProgress?: (text: string) => void): Output & { lines: string[]; errorLines: string[] } {
  const lines: string[] = [];
  const errorLines: string[] = [];
  return {
    lines, errorLines,
    color: pc.createColors(false),
    width: undefined,
    print: (t = '') => void lines.push(t),
    error: (t) => void errorLines.push(t),
    table: (head, rows) => [head.join(' | '), ...rows.map((r) => r.join(' | '))].join('\n'),
    progress: (t) => onProgress?.(t),
    endProgress: () => {},
  };
}

/** Interrupts that never come. */
const NO_INTERRUPTS: InterruptSource = { listen: () => () => {} };

export async function kemu(argv: string[], options: KemuOptions = {}): Promise<KemuRun> {
  const out = recordingOutput(options.onProgress);
  const code = await main(argv, options.plugins ?? [BUILTIN], out, { interrupts: options.interrupts ?? NO_INTERRUPTS });
  return { code, text: out.lines.join('\n'), errors: out.errorLines.join('\n') };
}
