/**
 * One targeted program per primitive of the dependence table (issue 9), each
 * a race in which the order of the primitive's steps decides the outcome:
 * DPOR must agree with unreduced enumeration on it (failure signatures,
 * final states, and one schedule per equivalence class), and the enumeration
 * must really have exercised the primitive.
 */
import { describe, expect, test } from 'vitest';
import { compareProgram } from './compare.js';
import { mismatchReport } from './mismatch-report.js';
import type { Location, Op, Primitive, Program, TaskProgram } from './program.js';

const task = (...ops: Op[]): TaskProgram => ({ ops });
const pinned = (cpu: number, ...ops: Op[]): TaskProgram => ({ cpu, ops });
const read = (loc: Location): Op => ({ kind: 'read', loc });
const write = (loc: Location, value = 1): Op => ({ kind: 'write', loc, value });
const get = (loc: Location): Op => ({ kind: 'get', loc });
const set = (loc: Location, value = 1): Op => ({ kind: 'set', loc, value });
const mutex = (lock: 0 | 1, ...body: Op[]): Op => ({ kind: 'mutex', lock, body });
const trylock = (lock: 0 | 1, ...body: Op[]): Op => ({ kind: 'trylock', lock, body });
const spin = (lock: 0 | 1, ...body: Op[]): Op => ({ kind: 'spin', lock, irqsave: false, body });
const spinIrqsave = (lock: 0 | 1, ...body: Op[]): Op => ({ kind: 'spin', lock, irqsave: true, body });

const cases: [name: string, exercises: Primitive, program: Program][] = [
  ['mutex lock/unlock: two sections over a protected word', 'mutex_lock/unlock',
    { tasks: [task(mutex(0, set('x'))), task(mutex(0, get('x'))), task(read('x'))] }],
  ['mutex lock/unlock, nested and inverted: ABBA', 'nested locks',
    { tasks: [task(mutex(0, mutex(1, set('x')))), task(mutex(1, mutex(0, get('x'))))] }],
  ['mutex_trylock that succeeds, against a lock section', 'mutex_trylock acquired',
    { tasks: [task(trylock(0, set('x'))), task(mutex(0, get('x')))] }],
  ['mutex_trylock that fails while another task holds the mutex', 'mutex_trylock failed',
    { tasks: [task(trylock(0)), task(mutex(0, set('y')))] }],
  ['mutex_is_locked against lock and unlock', 'mutex_is_locked',
    { tasks: [task({ kind: 'is_locked', lock: 0 }), task(mutex(0))] }],
  ['raw spinlocks: two sections over a protected word', 'raw_spin_lock',
    { tasks: [task(spin(0, set('x'))), task(spin(0, get('x'))), task(read('x'))] }],
  ['irq save/restore: a task on the same CPU cannot run inside the section', 'raw_spin_lock_irqsave',
    { tasks: [pinned(1, spinIrqsave(0, set('x'), set('y'))), pinned(1, read('x'), read('y'))] }],
  ['preemption: a spinlock holder keeps its CPU from another task', 'shared CPU',
    { tasks: [pinned(2, spin(0, { kind: 'cmpxchg', loc: 'y', expected: 0, value: 1 })), pinned(2, { kind: 'xchg', loc: 'y', value: 2 })] }],
  ['complete wakes one waiter: the other hangs', 'complete',
    { tasks: [task({ kind: 'wait' }, read('x')), task({ kind: 'wait' }), task(write('x'), { kind: 'complete', all: false })] }],
  ['complete_all wakes every waiter', 'complete_all',
    { tasks: [task({ kind: 'wait' }, read('x')), task({ kind: 'wait' }, read('x')), task(write('x'), { kind: 'complete', all: true })] }],
  ['atomics: inc, xchg and cmpxchg on one word', 'atomic_cmpxchg',
    { tasks: [task({ kind: 'inc', loc: 'x' }), task({ kind: 'xchg', loc: 'x', value: 2 }), task({ kind: 'cmpxchg', loc: 'x', expected: 1, value: 2 })] }],
  ['cells: one writer and two readers', 'READ_ONCE',
    { tasks: [task(write('x')), task(read('x')), task(read('x'))] }],
  ['MMIO: a write-1-to-clear status register', 'writel status (W1C)',
    { tasks: [task({ kind: 'writel', reg: 'status', value: 1 }), task({ kind: 'readl', reg: 'status' }, { kind: 'writel', reg: 'status', value: 2 })] }],
  ['MMIO: a doorbell whose write DMA-writes a status word', 'writel doorbell',
    { tasks: [task({ kind: 'writel', reg: 'doorbell', value: 2 }), task(read('dma0')), task(write('dma0', 1))] }],
  ['DMA memory: words reached through their bus addresses', 'DMA memory',
    { tasks: [task(write('dma0'), read('dma1')), task(write('dma1'), read('dma0'))] }],
  ['spin-wait: a poller parked on what decides it', 'spin-wait',
    { tasks: [task({ kind: 'await', loc: 'x', value: 1 }, read('y')), task(write('y'), write('x')), task(write('x', 2))] }],
  ['spin-wait that drops its lock around cpu_relax (qi_submit_sync)', 'spin-wait dropping a lock',
    { tasks: [task({ kind: 'qi_await', lock: 0, loc: 'x', value: 1 }), task(spin(0, set('x'))), task(spin(0, get('x')))] }],
  ['spawn and exit: a child races with its parent and a third task', 'spawn',
    { tasks: [task({ kind: 'spawn', child: task(write('x')) }, read('x')), task(read('x'))] }],
  ['oops: a task killed with a mutex held leaves the other hung, or not', 'BUG_ON fired',
    { tasks: [task(read('x'), mutex(0, { kind: 'bug', equals: 0 })), task(mutex(0), write('x'))] }],
  ['WARN_ON on a condition that depends on the schedule', 'WARN_ON fired',
    { tasks: [task(read('x'), { kind: 'warn', equals: 1 }), task(write('x'))] }],
];

describe('DPOR agrees with unreduced enumeration on each primitive', () => {
  test.each(cases)('%s', async (_name, exercises, program) => {
    const verdict = await compareProgram(program, { cap: 20_000, optimalityLimit: 20_000 });
    if (verdict.kind === 'skipped') throw new Error(`the program has more than 20,000 schedules: make it smaller`);
    expect(verdict.used).toContain(exercises);
    if (verdict.kind === 'mismatch') throw new Error(mismatchReport(program, verdict));
  });
});
