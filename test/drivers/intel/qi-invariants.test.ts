/**
 * The queue's invariants (qiInvariants): stated by the scenario, checked after
 * every step, reported with a token like any failure. v6.11's 0-count race
 * breaks "no slot its owner polls is QI_FREE" before it locks up; v6.12 keeps
 * both; and a reclaim mutant from the patch review (v6.12's marking, reclaim
 * without its `free_tail != free_head` guard) is caught too, although it loops
 * in one step with no scheduling point.
 */
import { describe, expect, test } from 'vitest';
import { explore, replay } from '../../../src/explore/index.js';
import { qiZeroCount } from '../../../drivers/iommu/intel/scenarios.js';
import { QiFreeReclaim } from '../../../drivers/iommu/intel/qi-reclaim.js';
import type { QInval } from '../../../drivers/iommu/intel/intel-iommu.js';
import { QI_FREE } from '../../../drivers/iommu/intel/iommu-defs.js';

/** The mutant: v6.12's reclaim without the free_head guard. Unused slots are QI_FREE too, so it runs on past the in-flight region. */
class ReclaimWithoutGuard extends QiFreeReclaim {
  override reclaim_free_desc(qi: QInval): number[] {
    const freed: number[] = [];
    while (qi.desc_status.words.at(qi.free_tail.get()).get() === QI_FREE) {
      const tail = qi.free_tail.get();
      freed.push(tail);
      qi.free_tail.set((tail + 1) % qi.QI_LENGTH);
      qi.free_cnt.set(qi.free_cnt.get() + 1);
    }
    return freed;
  }
}

describe('queued-invalidation invariants', () => {
  test('v6.11 [1,0]: the polled wait slot turns QI_FREE before the lockup, and the token replays to it', async () => {
    const scenario = qiZeroCount({ variant: 'v6.11', counts: [1, 0], invariants: true });
    const result = await explore(scenario, { strategy: 'dpor' });
    const broken = result.failures.find((f) => f.kind === 'invariant')!;
    expect(broken.title).toMatch(/invariant broken: no slot its owner polls is QI_FREE \(WD2 polls slot 2, which is QI_FREE\)/);
    expect(result.failures.some((f) => f.kind === 'soft-lockup')).toBe(true);
    const run = await replay(scenario, broken.token);
    expect(run.reports.some((r) => r.signature === broken.signature)).toBe(true);
  });

  test('v6.12 [1,0] and [1,1]: both invariants hold on every schedule', async () => {
    for (const counts of [[1, 0], [1, 1]]) {
      const result = await explore(qiZeroCount({ variant: 'v6.12', counts, invariants: true }), { strategy: 'dpor' });
      expect(result.exhausted).toBe(true);
      expect(result.failures).toEqual([]);
    }
  });

  test('the reclaim mutant drives free_cnt past QI_LENGTH, and its endless reclaim is a lockup, not a hung process', async () => {
    const result = await explore(qiZeroCount({ variant: 'v6.12', counts: [1, 0], invariants: true, policy: new ReclaimWithoutGuard() }), { strategy: 'dpor' });
    expect(result.failures.map((f) => f.title)).toEqual(expect.arrayContaining([
      expect.stringMatching(/invariant broken: free_cnt <= QI_LENGTH \(free_cnt = \d+, QI_LENGTH = 8\)/),
      expect.stringMatching(/soft lockup: cpu\d loops forever in reclaim_free_desc without a scheduling point/),
    ]));
  });
});
