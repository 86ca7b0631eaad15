/**
 * A mismatch as a person reads it: what differs, the program as pseudo-code
 * and as data (to paste into a test), and both sides' findings: failure
 * signatures, final states and equivalence classes, each marked with the
 * side that has it and, for one side only, a schedule that reaches it.
 */
import type { Comparison } from './compare.js';
import type { Program } from './program.js';
import { FINAL_STATE_LEGEND } from './final-state.js';
import { pseudoCode } from './pseudo-code.js';
import { count } from './text.js';

const indent = (text: string, by = '  '): string => text.split('\n').map((l) => by + l).join('\n');

/** Every item of either side, marked `both`, `enumerator` or `explorer`; one-sided items with a schedule that reaches them, when known. */
function sideBySide(reference: ReadonlyMap<string, string | null>, explorer: ReadonlyMap<string, string | null>): string[] {
  const line = (side: string, item: string, witness: string | null = null): string =>
    `  ${side.padEnd(12)}${item}${witness === null ? '' : `\n${' '.repeat(14)}reached by: ${witness}`}`;
  const out: string[] = [];
  for (const [item, witness] of reference) out.push(explorer.has(item) ? line('both', item) : line('enumerator', item, witness));
  for (const [item, witness] of explorer) if (!reference.has(item)) out.push(line('explorer', item, witness));
  return out;
}

const signatures = (failures: ReadonlySet<string>): Map<string, null> => new Map([...failures].sort().map((f) => [f, null]));

export function mismatchReport(program: Program, mismatch: Comparison): string {
  const { reference, explorer } = mismatch;
  const sections = [
    `The explorer (${mismatch.split.label}) disagrees with unreduced enumeration:`,
    ...mismatch.differences.map((d) => `  - ${d.text}`),
    '',
    'Program:',
    indent(pseudoCode(program)),
    '',
    `As data: ${JSON.stringify(program)}`,
  ];
  if (explorer.error !== null) {
    sections.push('', 'What went wrong:', indent(String((explorer.error as Error).stack ?? explorer.error)));
    return sections.join('\n');
  }
  sections.push(
    '',
    `Failure signatures (enumerator ${reference.failures.size}, explorer ${explorer.failures.size}):`,
    ...(reference.failures.size + explorer.failures.size === 0 ? ['  none'] : sideBySide(signatures(reference.failures), signatures(explorer.failures))),
    '',
    `Final states (enumerator ${reference.finalStates.size}, explorer ${explorer.finalStates.size}), each ${FINAL_STATE_LEGEND}:`,
    ...sideBySide(reference.finalStates, explorer.finalStates),
  );
  if (explorer.classes !== null) {
    sections.push('', `Equivalence classes: ${count(reference.classes.size, 'class', 'classes')} in ${count(reference.schedules, 'schedule')}; the explorer ran ${count(explorer.schedules, 'schedule')}.`);
    for (const [key, first] of reference.classes) if (!explorer.classes.has(key)) sections.push(`  never run by the explorer, e.g. ${first}`);
    for (const runs of explorer.classes.values()) if (runs.length > 1) sections.push(`  run ${runs.length} times by the explorer: ${runs.join('; ')}`);
  }
  return sections.join('\n');
}
