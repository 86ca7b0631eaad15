/**
 * Programs the differential campaign found on the explorer, shrunk by
 * fast-check and kept as they were printed ("As data"): each must agree with
 * unreduced enumeration, as every generated program must.
 */
import { describe, expect, test } from 'vitest';
import { compareProgram } from './compare.js';
import { mismatchReport } from './mismatch-report.js';
import type { Program } from './program.js';

const findings: [name: string, program: Program][] = [
  // t1 and t2 share CPU 1; t1 spins forever holding s0, so t2 can only take m0 before t1's trylock, which then fails: the BUG_ON.
  ['a trylock that fails only if a task sharing the CPU runs first (missed oops)',
    { tasks: [{ ops: [{ kind: 'trylock', lock: 0, body: [{ kind: 'spin', lock: 0, irqsave: false, body: [{ kind: 'qi_await', lock: 0, loc: 'x', value: 1 }] }] }, { kind: 'bug', equals: 0 }, { kind: 'write', loc: 'x', value: 1 }] }, { cpu: 1, ops: [{ kind: 'mutex', lock: 0, body: [] }] }] }],
  // t1 locks up on CPU 1 holding m1 and s0; t2, on the same CPU, can finish only if it takes m1 first.
  ['a lockup holding a mutex, and a task on the same CPU that could have taken it first (missed final state)',
    { tasks: [{ ops: [{ kind: 'mutex', lock: 1, body: [{ kind: 'spin', lock: 0, irqsave: false, body: [{ kind: 'await', loc: 'y', value: 1 }] }] }] }, { cpu: 1, ops: [{ kind: 'mutex', lock: 1, body: [] }] }] }],
  // t3 is spawned onto t1's CPU: t1's steps wait for that CPU only once t3 exists, and the spawn records nothing they conflict with.
  ['a child spawned onto another task\'s CPU (classes never run)',
    { tasks: [{ cpu: 2, ops: [{ kind: 'xchg', loc: 'x', value: 1 }] }, { ops: [{ kind: 'spawn', child: { cpu: 2, ops: [{ kind: 'spin', lock: 0, irqsave: false, body: [] }, { kind: 'cmpxchg', loc: 'x', expected: 0, value: 1 }] } }, { kind: 'bug', equals: 0 }] }] }],
  // t2 and t3 share CPU 2. Split at weight 4, the leaf below "t1 starts, then t2" begins with t1 asleep; its default run
  // (t2 takes s0 and spins, t3 cannot run) ends with every task asleep, and only that run's races lead to "t3 first".
  ['a leaf of the tree\'s top whose first run ends with every task asleep (missed final states, split)',
    { tasks: [{ ops: [{ kind: 'xchg', loc: 'y', value: 1 }] }, { ops: [{ kind: 'spin', lock: 0, irqsave: false, body: [{ kind: 'spin', lock: 0, irqsave: false, body: [] }] }, { kind: 'xchg', loc: 'y', value: 1 }] }, { cpu: 2, ops: [{ kind: 'read', loc: 'y' }, { kind: 'write', loc: 'dma0', value: 1 }] }] }],
  // t3, spawned without a CPU, gets CPU 2 (t4's) only if t1 spawns it before t2 spawns t4: the two spawns are dependent.
  ['two spawns in different tasks, the first deciding the CPU the second one\'s child shares (classes never run)',
    { tasks: [{ ops: [{ kind: 'spawn', child: { ops: [{ kind: 'warn', equals: 0 }] } }] }, { cpu: 1, ops: [{ kind: 'spawn', child: { cpu: 2, ops: [{ kind: 'spin', lock: 0, irqsave: false, body: [] }, { kind: 'readl', reg: 'status' }] } }] }] }],
  // t2 parks on y=1; t1's second increment wakes it, its WRITE_ONCE(y, 1) parks it again. The lockup run ends with t2 parked,
  // and only that blocked step, racing with the write that put 1 back, leads to t2 running while y is 2.
  ['a poller woken and parked again by the next write, at the end of the run (classes never run)',
    { tasks: [{ ops: [{ kind: 'inc', loc: 'y' }, { kind: 'inc', loc: 'y' }, { kind: 'write', loc: 'y', value: 1 }] }, { ops: [{ kind: 'await', loc: 'y', value: 2 }] }] }],
  // t1 parks on y=0; t2's cmpxchg rewrites 0. A wakeup sequence met a step it could not take two decisions below its
  // branch, where no sleep set had been kept for the siblings: the explorer threw.
  ['a wakeup sequence cut below its branch, whose node has other children (explorer crashed)',
    { tasks: [{ ops: [{ kind: 'await', loc: 'y', value: 1 }] }, { ops: [{ kind: 'cmpxchg', loc: 'y', expected: 0, value: 0 }, { kind: 'xchg', loc: 'y', value: 1 }] }, { ops: [{ kind: 'read', loc: 'y' }] }] }],
  // t3 wakes t2, t1 writes back the 0 t2 parked on. The last write before t2's blocked step is t1's cmpxchg, before which
  // t2 was parked; only the write that parked it again (t1's first) is a reversal that can run.
  ['a poller parked again, whose last write is not the one that parked it (classes never run)',
    { tasks: [{ ops: [{ kind: 'write', loc: 'y', value: 0 }, { kind: 'cmpxchg', loc: 'y', expected: 0, value: 0 }] }, { ops: [{ kind: 'qi_await', lock: 0, loc: 'y', value: 1 }] }, { ops: [{ kind: 'xchg', loc: 'y', value: 1 }] }] }],
];

describe('programs the differential campaign found', () => {
  test.each(findings)('%s', async (_name, program) => {
    const verdict = await compareProgram(program, { cap: 20_000, optimalityLimit: 20_000 });
    expect(verdict.kind).not.toBe('skipped');
    if (verdict.kind === 'mismatch') throw new Error(mismatchReport(program, verdict));
  });
});
