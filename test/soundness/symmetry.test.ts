/**
 * Symmetry reduction against unreduced enumeration (symmetry.ts): hand-made
 * twins whose reduction is known, then generated programs with twins. Each
 * must agree on failures and final states up to swapping twins.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { pseudoCode } from './pseudo-code.js';
import type { Program } from './program.js';
import { canonical, compareSymmetric, renameState, renamings, twinPrograms, type SymmetryComparison } from './symmetry.js';

const CAP = 5000;
const PROGRAMS = 600;

const explain = (program: Program, c: SymmetryComparison): string =>
  `${c.differences.join('\n')}\n\n${pseudoCode(program)}\n\nAs data: ${JSON.stringify(program)}`;

describe('symmetry reduction', () => {
  test('two twins that take one lock: half the classes, the same final states up to the swap', async () => {
    const program: Program = {
      tasks: [
        { cpu: 5, ops: [{ kind: 'mutex', lock: 0, body: [{ kind: 'inc', loc: 'x' }] }] },
        { cpu: 6, ops: [{ kind: 'mutex', lock: 0, body: [{ kind: 'inc', loc: 'x' }] }], twinOf: 0 },
      ],
    };
    const c = await compareSymmetric(program, { cap: CAP });
    if (c.kind !== 'agree') throw new Error(explain(program, c));
    expect(c.unreduced).toBe(2);
    expect(c.reduced).toBe(1);
    expect(c.orbits).toBe(1);
  });

  test('three twins racing on a word with a third task: the reduction keeps every state up to permutation', async () => {
    const program: Program = {
      tasks: [
        { cpu: 5, ops: [{ kind: 'xchg', loc: 'x', value: 1 }, { kind: 'warn', equals: 1 }] },
        { cpu: 10, ops: [{ kind: 'write', loc: 'x', value: 0 }] },
        { cpu: 6, ops: [{ kind: 'xchg', loc: 'x', value: 1 }, { kind: 'warn', equals: 1 }], twinOf: 0 },
        { cpu: 7, ops: [{ kind: 'xchg', loc: 'x', value: 1 }, { kind: 'warn', equals: 1 }], twinOf: 0 },
      ],
    };
    const c = await compareSymmetric(program, { cap: CAP });
    if (c.kind !== 'agree') throw new Error(`${c.kind}: ${explain(program, c)}`);
    expect(c.reduced).toBeLessThan(c.unreduced);
    expect(c.reduced).toBeGreaterThanOrEqual(c.orbits);
  });

  test('the canonical form identifies states that differ by a swap, and only those', () => {
    const names = renamings([['t1', 't3']]);
    const a = 'x=1 | m0:t1 | t1 [1] done; t2 [0] done; t3 [0] blocked at 1: mutex_lock(m0) | warn:t1_op2:WARN_ON';
    const swapped = 'x=1 | m0:t3 | t1 [0] blocked at 1: mutex_lock(m0); t2 [0] done; t3 [1] done | warn:t3_op2:WARN_ON';
    const other = 'x=1 | m0:t3 | t1 [1] done; t2 [0] done; t3 [0] blocked at 1: mutex_lock(m0) | warn:t1_op2:WARN_ON';
    const form = (s: string) => canonical(s, names, renameState);
    expect(form(a)).toBe(form(swapped));
    expect(form(a)).not.toBe(form(other));
  });

  test(`DPOR with the reduction agrees with unreduced enumeration on ${PROGRAMS} generated programs with twins`, async () => {
    let checked = 0;
    let reduced = 0;
    let unreduced = 0;
    await fc.assert(fc.asyncProperty(twinPrograms(600), async (program) => {
      const c = await compareSymmetric(program, { cap: CAP });
      fc.pre(c.kind !== 'skipped');
      if (c.kind === 'mismatch') throw new Error(explain(program, c));
      checked++;
      reduced += c.reduced;
      unreduced += c.unreduced;
    }), { numRuns: PROGRAMS, seed: 20261202, maxSkipsPerRun: 1000 });
    expect(checked).toBe(PROGRAMS);
    // The reduction must reduce: generated twins share a fair part of their interleavings.
    expect(reduced).toBeLessThan(unreduced);
  }, 300_000);
});
