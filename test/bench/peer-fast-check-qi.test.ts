/**
 * The bench's fast-check peer is a fair one: it has the visible steps kemu's
 * qi-zero-count has (each kind of step one of kemu's traces shows, and no
 * other), it finds the v6.11 lockup, and it passes on v6.12.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { explore, runOnce } from '../../src/explore/index.js';
import type { CapturedRun } from '../../src/explore/result.js';
import { qiZeroCount } from '../../drivers/iommu/intel/scenarios.js';
import { benchFastCheckPeer, qiRace } from '../../bench/peer-fast-check-qi.js';

/** `cpu: writel IQT_REG` for cpu1's `writel(dmar0.IQT_REG, 0x60 (slot 3))`: who, and which operation on what; null for the set-up task. */
function kindOf(comm: string, op: string): string | null {
  const role = comm.startsWith('cpu') ? 'cpu' : comm.endsWith('-qi') ? 'hw' : null;
  const m = /^(\w+)\((?:[^)[,( ]*(?:->|\.))?(\w*)/.exec(op);
  if (!role || !m) return null;
  return `${role}: ${m[1]}${m[2] ? ` ${m[2]}` : ''}`;
}

function kemuKinds(runs: readonly CapturedRun[]): Set<string> {
  const kinds = new Set<string>();
  for (const run of runs) {
    const comm = new Map(run.tasks.map((t) => [t.pid, t.comm]));
    for (const s of run.trace) {
      const kind = kindOf(comm.get(s.pid)!, s.op);
      if (kind) kinds.add(kind);
    }
  }
  return kinds;
}

/** The steps the peer's runs take, recorded through the scheduler's scheduled function. */
async function peerKinds(fixed: boolean, runs: number): Promise<Set<string>> {
  const kinds = new Set<string>();
  const recording = (s: fc.Scheduler): fc.Scheduler => new Proxy(s, {
    get: (target, key) => key === 'scheduleFunction'
      ? <T extends unknown[], R>(fn: (...args: T) => Promise<R>) => target.scheduleFunction((...args: T) => (kinds.add(String(args[0])), fn(...args)))
      : Reflect.get(target, key, target),
  });
  await fc.check(fc.asyncProperty(fc.scheduler(), (s) => qiRace(recording(s), [1, 0], fixed)), { seed: 7, numRuns: runs });
  return kinds;
}

describe('the fast-check peer of qi-zero-count', () => {
  test('takes the kinds of visible step kemu\'s runs take, and no other', async () => {
    const buggy = await explore(qiZeroCount({ counts: [1, 0], variant: 'v6.11' }), { strategy: 'dpor' });
    const fixed = await runOnce(qiZeroCount({ counts: [1, 0], variant: 'v6.12' }));
    const kemu = kemuKinds([...buggy.failures.map((f) => f.run), fixed]);
    expect(kemu).toContain('hw: WRITE_ONCE desc_status');
    const peer = new Set([...(await peerKinds(false, 200)), ...(await peerKinds(true, 200))]);
    expect([...peer].sort()).toEqual([...kemu].sort());
  });

  test('finds the v6.11 lockup on every seed tried, and passes on v6.12', async () => {
    const figures = await benchFastCheckPeer(5, [1, 0], 300);
    expect(figures.perSeed.map((s) => s.runs !== null)).toEqual([true, true, true, true, true]);
    expect(figures.fixedRuns).toBe(300);
  });
});
