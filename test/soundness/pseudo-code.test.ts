/**
 * What a person reads when the harness reports a mismatch: the program as
 * numbered pseudo-code, and each finding marked with the side that has it.
 */
import { expect, test } from 'vitest';
import { EXPLORER_SPLITS, type Comparison } from './compare.js';
import { mismatchReport } from './mismatch-report.js';
import type { Program } from './program.js';
import { pseudoCode } from './pseudo-code.js';

const program: Program = {
  tasks: [
    { cpu: 1, ops: [{ kind: 'read', loc: 'x' }, { kind: 'mutex', lock: 0, body: [{ kind: 'set', loc: 'y', value: 2 }, { kind: 'spin', lock: 1, irqsave: true, body: [] }] }, { kind: 'warn', equals: 1 }] },
    { ops: [{ kind: 'spawn', child: { cpu: 1, ops: [{ kind: 'qi_await', lock: 0, loc: 'dma0', value: 1 }] } }, { kind: 'trylock', lock: 1, body: [{ kind: 'complete', all: true }] }] },
  ],
};

test('a program prints as numbered pseudo-code, children after their parents', () => {
  expect(pseudoCode(program)).toBe([
    't1 (cpu 1):',
    '  1     r = READ_ONCE(x)',
    '  2     mutex_lock(m0)',
    '  2.1     y = 2   (plain store)',
    '  2.2     raw_spin_lock_irqsave(s1, flags)',
    '          raw_spin_unlock_irqrestore(s1, flags)',
    '        mutex_unlock(m0)',
    '  3     WARN_ON(r == 1)',
    't2:',
    '  1     kthread_run(t3)',
    '  2     if ((r = mutex_trylock(m1))) {',
    '  2.1     complete_all(&comp)',
    '        mutex_unlock(m1) }',
    't3 (spawned by t2, cpu 1):',
    '  1     raw_spin_lock_irqsave(s0, flags); spin_begin()',
    '        while (READ_ONCE(dma0) != 1) { raw_spin_unlock_irqrestore(s0, flags); cpu_relax(); raw_spin_lock_irqsave(s0, flags) }',
    '        raw_spin_unlock_irqrestore(s0, flags)',
  ].join('\n'));
});

test('a mismatch report marks each finding with its side, and a schedule for the one-sided ones', () => {
  const comparison: Comparison = {
    kind: 'mismatch',
    differences: [{ kind: 'missed final states', text: 'final states the explorer missed: 1 of 2' }],
    reference: { schedules: 6, exhausted: true, failures: new Set(['warn:t1_op3:WARN_ON']), finalStates: new Map([['A', 'swapper/0 t1×2'], ['B', 'swapper/0 t2 t1']]), classes: new Map() },
    explorer: { schedules: 1, exhausted: true, failures: new Set(), finalStates: new Map([['A', 'swapper/0 t1×2']]), classes: null, error: null },
    split: EXPLORER_SPLITS[2]!,
    used: new Set(),
  };
  const report = mismatchReport(program, comparison);
  expect(report).toContain('The explorer (DPOR in 3 shards, merged (splitWeight 4)) disagrees');
  expect(report).toContain('  - final states the explorer missed: 1 of 2');
  expect(report).toContain('  enumerator  warn:t1_op3:WARN_ON');
  expect(report).toContain('  both        A\n  enumerator  B\n              reached by: swapper/0 t2 t1');
  expect(report).toContain(`As data: ${JSON.stringify(program)}`);
});
