/**
 * The text timeline as the VT-d patch draws its race: the story view keeps
 * both submitters' first poll, unlock and re-lock (the window the patch is
 * about) and ends on the poll that never ends; columns carry the patch's
 * names; `ops` shows every step; a width is respected. A deadlock ends on
 * what each task blocks on forever.
 */
import { describe, expect, test } from 'vitest';
import { explore, type CapturedRun } from '../../src/explore/index.js';
import { renderTimeline } from '../../src/report/index.js';
import { resolveTarget } from '../../src/cli/targets.js';
import { abba } from '../../src/examples/classic-scenarios.js';
import { builtinCatalog } from '../support/builtin-catalog.js';
import { OpKind } from '../../src/kernel/sched/op.js';

async function lockupRun(): Promise<{ run: CapturedRun; names: Readonly<Record<string, string>> }> {
  const target = await resolveTarget(builtinCatalog, { name: 'qi-zero-count', kernel: 'v6.11' });
  const lockup = (await explore(target.scenario)).failures.find((f) => f.kind === 'soft-lockup')!;
  return { run: lockup.run, names: target.taskNames };
}

/** The timeline's rows as [step, column index, text] (continuation lines joined to their row). */
function rows(timeline: string): [string, number, string][] {
  const out: [string, number, string][] = [];
  const lines = timeline.split('\n');
  for (const line of lines.slice(lines.findIndex((l) => l.startsWith('------+')) + 1)) {
    const [step, ...cells] = line.split('|').map((c) => c.trim());
    const col = cells.findIndex((c) => c !== '');
    if (step === '') out.at(-1)![2] += ` ${cells[col]}`;
    else out.push([step!, col, cells[col]!]);
  }
  return out;
}

describe('the VT-d 0-count lockup, story view', () => {
  test("keeps each CPU's first poll, unlock and re-lock, and ends on the poll that never ends", async () => {
    const { run, names } = await lockupRun();
    const story = rows(renderTimeline(run, { names }));
    const of = (col: number) => story.filter(([, c]) => c === col).map(([, , text]) => text);
    for (const cpu of [0, 1]) {
      const texts = of(cpu);
      const firstPoll = texts.findIndex((t) => /^READ_ONCE\(dmar0\.qi->desc_status\[\d\]\) -> QI_IN_USE$/.test(t));
      expect(firstPoll, `cpu${cpu} first poll`).toBeGreaterThan(0);
      expect(texts.slice(firstPoll + 1).findIndex((t) => t.startsWith('raw_spin_unlock(&qi->q_lock')), `cpu${cpu} unlock`).toBeGreaterThanOrEqual(0);
      expect(texts.slice(firstPoll + 1).some((t) => t.startsWith('raw_spin_lock(&qi->q_lock')), `cpu${cpu} re-lock`).toBe(true);
    }
    expect(story.at(-1)).toEqual(['end', 1, 'polls dmar0.qi->desc_status[2] = QI_FREE, dmar0.FSTS_REG = 0 forever']);
    // The hardware column keeps only what it did of note: its writes.
    expect(of(2).every((t) => t.startsWith('* '))).toBe(true);
  });

  test("names the columns as the patch does, beside the task's own name", async () => {
    const { run, names } = await lockupRun();
    expect(renderTimeline(run, { names }).split('\n')[0]).toMatch(/^ step \| cpu0 = T1 \(CPU0\)\s+\| cpu1 = T2 \(CPU1\)\s+\| dmar0-qi = Hardware \(hw\)$/);
  });

  test('ops shows every step but the setup task starting', async () => {
    const { run } = await lockupRun();
    const ops = rows(renderTimeline(run, { detail: 'ops' }));
    expect(ops.filter(([step]) => step !== 'end')).toHaveLength(run.trace.length - 1);
    expect(ops.filter(([step]) => step !== 'end').length).toBeGreaterThan(rows(renderTimeline(run)).length);
  });

  test('fits a width by wrapping, never by cutting', async () => {
    const { run, names } = await lockupRun();
    const narrow = renderTimeline(run, { names, width: 80 });
    expect(narrow.split('\n').every((l) => l.length <= 80)).toBe(true);
    expect(rows(narrow).map(([, , t]) => t.replace(/\s+/g, ''))).toEqual(rows(renderTimeline(run, { names, maxColumnWidth: 200 })).map(([, , t]) => t.replace(/\s+/g, '')));
  });
});

test('a deadlock ends on what each task blocks on forever, and who holds it', async () => {
  const hang = (await explore(abba)).failures.find((f) => f.kind === 'hung-task')!;
  const end = rows(renderTimeline(hang.run)).filter(([step]) => step === 'end').map(([, , text]) => text);
  expect(end.sort()).toEqual(['mutex_lock(lock_a) blocks forever, held by cpu1', 'mutex_lock(lock_b) blocks forever, held by cpu2']);
});

test('the story leaves out a read that finds what its task last read there, and a lock held with nothing shown inside', () => {
  const step = (n: number, pid: number, op: string, opKind: OpKind, target: string | null, result: string | null, notes: string[] = []) =>
    ({ step: n, ns: n, pid, op, opKind, target, result, notes });
  const run = {
    tasks: [{ pid: 2, comm: 'kworker/u16:1', cpu: 1, kind: 'thread' as const }],
    reports: [],
    trace: [
      step(1, 2, 'mutex_lock(iommu_probe_device_lock)', OpKind.MutexLock, 'iommu_probe_device_lock', null),
      step(2, 2, 'READ_ONCE(dev->iommu)', OpKind.Read, 'dev->iommu', 'NULL'),
      step(3, 2, 'READ_ONCE(dev->iommu)', OpKind.Read, 'dev->iommu', 'NULL'),
      step(4, 2, 'mutex_unlock(iommu_probe_device_lock)', OpKind.MutexUnlock, 'iommu_probe_device_lock', null),
      step(5, 2, 'raw_spin_lock(iommu_device_lock)', OpKind.SpinLock, 'iommu_device_lock', null),
      step(6, 2, 'raw_spin_unlock(iommu_device_lock)', OpKind.SpinUnlock, 'iommu_device_lock', null),
      step(7, 2, 'READ_ONCE(dev->iommu)', OpKind.Read, 'dev->iommu', 'ffff000004000000', ['dev->iommu = kzalloc()']),
      step(8, 2, 'READ_ONCE(dev->iommu)', OpKind.Read, 'dev->iommu', 'NULL'),
    ],
  };
  expect(rows(renderTimeline(run)).map(([s]) => s)).toEqual(['1', '2', '4', '7', '8']);
});
