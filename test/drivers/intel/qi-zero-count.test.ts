/**
 * Bug A: qi_submit_sync() with 0 descriptors, fixed by 3cf74230c139 in
 * v6.12-rc1. The buggy kernel must show the soft lockup of the patch's
 * timeline; the fixed kernel must explore every schedule without one.
 */
import { describe, expect, test } from 'vitest';
import { explore } from '../../../src/explore/explore.js';
import { qiZeroCount, qiZeroCountEntry } from '../../../drivers/iommu/intel/scenarios.js';
import { parameterValues } from '../../../src/machine/parameters.js';

describe('qi-zero-count: T1 submits 1 descriptor, T2 submits 0', () => {
  test('v6.11 locks up: T2 polls its wait slot, which T1\'s reclaim turned to QI_FREE', async () => {
    const result = await explore(qiZeroCount({ counts: [1, 0], variant: 'v6.11' }), { strategy: 'dpor' });
    expect(result.exhausted).toBe(true);
    expect(result.failures).toHaveLength(1);
    const [failure] = result.failures;
    expect(failure!.kind).toBe('soft-lockup');
    // The stuck task is the 0-count submitter on CPU 1, with interrupts off, polling WD2's status word.
    const task = failure!.report.task!;
    expect(task.comm).toBe('cpu1');
    expect(task.cpu).toBe(1);
    expect(task.irqsDisabled).toBe(true);
    expect(task.polls).toContainEqual({ name: 'dmar0.qi->desc_status[2]', value: 'QI_FREE' });
    expect(failure!.report.stuckSeconds).toBeGreaterThanOrEqual(20);

    // The replayed run reads like the patch's timeline.
    const notes = failure!.run.trace.flatMap((s) => s.notes);
    expect(notes).toContain('ID1 → slot 0 (IN_USE), WD1 → slot 1 (IN_USE), IQT=2');
    expect(notes).toContain('WD2 → slot 2 (IN_USE), IQT=3');
    expect(notes).toContain('* WD1 status = QI_DONE');
    expect(notes).toContain('* WD2 status = QI_DONE');
    expect(notes).toContain('sees WD1 == QI_DONE');
    expect(notes).toContain('reclaim(): frees slot 0, 1, 2 (WD2!)');
    // The hardware wrote QI_DONE into T2's slot before T1's reclaim overwrote it.
    const hwWrite = failure!.run.trace.findIndex((s) => s.notes.includes('* WD2 status = QI_DONE'));
    const reclaim = failure!.run.trace.findIndex((s) => s.notes.includes('reclaim(): frees slot 0, 1, 2 (WD2!)'));
    expect(hwWrite).toBeGreaterThan(-1);
    expect(reclaim).toBeGreaterThan(hwWrite);
  });

  test('v6.12 explores every schedule without a lockup', async () => {
    const result = await explore(qiZeroCount({ counts: [1, 0], variant: 'v6.12' }), { strategy: 'dpor' });
    expect(result.failures).toEqual([]);
    expect(result.exhausted).toBe(true);
    expect(result.schedules).toBeGreaterThan(1);
  });

  test('the unreduced search finds the v6.11 lockup too', async () => {
    const result = await explore(qiZeroCount({ counts: [1, 0], variant: 'v6.11' }), { strategy: 'exhaustive', stopOnFirstFailure: true });
    expect(result.failures.map((f) => f.kind)).toEqual(['soft-lockup']);
  });

  test('every submission returns 0 on v6.12', async () => {
    const results: number[][] = [[], []];
    await explore(qiZeroCount({ counts: [1, 0], variant: 'v6.12', results }), { strategy: 'dpor' });
    expect(results[0]!.length).toBeGreaterThan(1);
    expect(new Set(results.flat())).toEqual(new Set([0]));
  });

  test('the catalog entry builds the reproduction for both kernels', async () => {
    expect(qiZeroCountEntry.name).toBe('qi-zero-count');
    expect(qiZeroCountEntry.defaultVariant).toBe('v6.11');
    expect(qiZeroCountEntry.variants).toEqual(['v6.11', 'v6.12']);
    expect(qiZeroCountEntry.strategy).toBe('dpor');
    const defaults = parameterValues('qi-zero-count', qiZeroCountEntry.parameters!);
    expect(defaults).toEqual({ counts: [1, 0], queueLength: 8, submissions: 1, legacyQueue: false, invariants: false });
    const buggy = await explore(qiZeroCountEntry.build('v6.11', defaults), { strategy: 'dpor', stopOnFirstFailure: true });
    expect(buggy.failures.map((f) => f.kind)).toEqual(['soft-lockup']);
    expect(() => qiZeroCountEntry.build('v9.99', defaults)).toThrow(/unknown kernel variant/);
  });
});
