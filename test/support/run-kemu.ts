/**
 * Runs the kemu command in-process, as bin/kemu.ts would (the built-in catalog
 * first), and captures what it prints: stdout lines (uncoloured) and the
 * one-line errors it writes to stderr.
 */
import pc from 'picocolors';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';

export const BUILTIN = new URL('../../catalog/builtin.ts', import.meta.url).href;

export async function kemu(...argv: string[]): Promise<{ code: number; text: string; stderr: string }> {
  const lines: string[] = [];
  const out: Output = {
    color: pc.createColors(false),
    print: (t = '') => void lines.push(t),
    table: (head, rows) => [head.join(' | '), ...rows.map((r) => r.join(' | '))].join('\n'),
    progress: () => {},
    endProgress: () => {},
  };
  const errors: string[] = [];
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => errors.push(String(chunk)) > 0);
  try {
    const code = await main(argv, [BUILTIN], out);
    return { code, text: lines.join('\n'), stderr: errors.join('') };
  } finally {
    stderr.mockRestore();
  }
}
