/**
 * The canonical form of a trace, and trimming hardware steps no CPU observes,
 * on hand-made runs.
 */
import { describe, expect, test } from 'vitest';
import { ACC_ACQUIRE, ACC_AWAIT, ACC_READ, ACC_WRITE, access } from '../../src/kernel/sched/access.js';
import { traceKey, trimHardware, type Step } from './trace-class.js';

const step = (task: string, ...accesses: [object: number, type: number][]): Step => ({ task, accesses: accesses.map(([o, t]) => access(o, t)) });

describe('traceKey', () => {
  test('is the same for runs that differ only in the order of independent steps', () => {
    const a = step('t1', [1, ACC_WRITE]);
    const b = step('t2', [2, ACC_WRITE]);
    const c = step('t3', [1, ACC_READ], [2, ACC_READ]);
    expect(traceKey([a, b, c])).toBe(traceKey([b, a, c]));
  });

  test('differs when dependent steps swap: a write and a read, two acquisitions', () => {
    const w = step('t1', [1, ACC_WRITE]);
    const r = step('t2', [1, ACC_READ]);
    expect(traceKey([w, r])).not.toBe(traceKey([r, w]));
    const l1 = step('t1', [3, ACC_ACQUIRE]);
    const l2 = step('t2', [3, ACC_ACQUIRE]);
    expect(traceKey([l1, l2])).not.toBe(traceKey([l2, l1]));
  });

  test('two reads of one object never order each other; waiting for a CPU is a read', () => {
    const r1 = step('t1', [1, ACC_READ]);
    const r2 = step('t2', [1, ACC_READ]);
    expect(traceKey([r1, r2])).toBe(traceKey([r2, r1]));
    const a1 = step('t1', [9, ACC_AWAIT]);
    const a2 = step('t2', [9, ACC_AWAIT]);
    expect(traceKey([a1, a2])).toBe(traceKey([a2, a1]));
    const taken = step('t3', [9, ACC_ACQUIRE]);
    expect(traceKey([a1, taken])).not.toBe(traceKey([taken, a1]));
  });

  test('tells runs of different lengths apart', () => {
    expect(traceKey([step('t1', [1, ACC_READ])])).not.toBe(traceKey([step('t1', [1, ACC_READ]), step('t1', [1, ACC_READ])]));
  });
});

describe('trimHardware', () => {
  const isHardware = (task: string) => task === 'hw';

  test('drops hardware steps no CPU step depends on, keeps the ones a CPU observes and what comes before them', () => {
    const steps = [
      step('hw', [5, ACC_WRITE]),   // before a kept hardware step: kept by program order
      step('hw', [1, ACC_WRITE]),   // the CPU reads object 1 later: kept
      step('cpu0', [1, ACC_READ]),
      step('hw', [2, ACC_WRITE]),   // nothing reads object 2: trimmed
      step('hw', [1, ACC_READ]),    // reads what the CPU only read: trimmed
    ];
    expect(trimHardware(steps, isHardware)).toEqual(steps.slice(0, 3));
  });

  test('keeps a hardware step that a later CPU write races with', () => {
    const steps = [step('hw', [1, ACC_READ]), step('cpu0', [1, ACC_WRITE])];
    expect(trimHardware(steps, isHardware)).toEqual(steps);
  });
});
