/**
 * The claims of 3cf74230c139's description, each checked by exploring every
 * schedule (DPOR) of small configurations:
 *
 * - before the fix, submissions that all have count >= 1 never lock up: the
 *   owners' invalidation slots stay QI_IN_USE until they have seen their wait,
 *   and act as barriers to other submitters' reclaim;
 * - any mix with a 0-count submission can lock up;
 * - after the fix no mix locks up, also when the ring is small enough to wrap
 *   and submitters have to wait for room.
 *
 * `counts` are descriptors per CPU; `q` is QI_LENGTH (the ring wraps when the
 * submissions need more slots than q; with q = 4 a 1-descriptor submission
 * leaves too little room for a second one, so submitters wait for reclaim).
 */
import { describe, expect, test } from 'vitest';
import { explore } from '../../../src/explore/explore.js';
import { qiZeroCount } from '../../../drivers/iommu/intel/scenarios.js';

interface Config {
  counts: number[];
  q: number;
  submissions?: number;
}

const label = (c: Config): string => `[${c.counts.join(', ')}] q=${c.q}${c.submissions ? ` x${c.submissions}` : ''}`;

async function exploreAll(variant: string, c: Config) {
  return explore(qiZeroCount({ counts: c.counts, variant, queueLength: c.q, submissions: c.submissions }), { strategy: 'dpor' });
}

describe('before the fix (v6.11): count >= 1 everywhere never locks up', () => {
  const configs: Config[] = [
    { counts: [1, 1], q: 8 },
    { counts: [2, 1], q: 8 },
    { counts: [1, 2], q: 8 },
    { counts: [2, 1], q: 4 },                  // the second submission waits for room and wraps
    { counts: [1, 1], q: 4, submissions: 2 },  // each CPU submits twice around a 4-slot ring
    { counts: [1, 1, 1], q: 6 },               // three CPUs, two submissions in flight at a time
  ];
  for (const c of configs) {
    test(label(c), async () => {
      const result = await exploreAll('v6.11', c);
      expect(result.failures).toEqual([]);
      expect(result.exhausted).toBe(true);
      expect(result.schedules).toBeGreaterThan(1);
    });
  }
});

describe('before the fix (v6.11): any mix with a 0-count submission can lock up', () => {
  const configs: Config[] = [
    { counts: [1, 0], q: 8 },
    { counts: [0, 1], q: 8 },
    { counts: [0, 0], q: 8 },
    { counts: [2, 0], q: 8 },
    { counts: [1, 1, 0], q: 8 },
    { counts: [1, 0, 0], q: 6 },
  ];
  for (const c of configs) {
    test(label(c), async () => {
      const result = await explore(qiZeroCount({ counts: c.counts, variant: 'v6.11', queueLength: c.q }), { strategy: 'dpor', stopOnFirstFailure: true });
      expect(result.failures.map((f) => f.kind)).toEqual(['soft-lockup']);
      // The stuck CPU submitted 0 descriptors and polls a status word that reads QI_FREE.
      const task = result.failures[0]!.report.task!;
      expect(c.counts[Number(task.comm.slice(3))]).toBe(0);
      expect(task.polls?.some((p) => /qi->desc_status\[\d+\]$/.test(p.name) && p.value === 'QI_FREE')).toBe(true);
    });
  }
});

describe('after the fix (v6.12): no mix locks up', () => {
  const configs: Config[] = [
    { counts: [1, 0], q: 8 },
    { counts: [0, 1], q: 8 },
    { counts: [0, 0], q: 8 },
    { counts: [2, 0], q: 8 },
    { counts: [2, 1], q: 4 },
    { counts: [2, 0], q: 4 },
    { counts: [1, 1], q: 4, submissions: 2 },
    { counts: [1, 0, 0], q: 4 },               // three CPUs on a 4-slot ring: waits for room, wraps
    { counts: [2, 1, 0], q: 4 },
    { counts: [1, 1, 0], q: 4 },
  ];
  for (const c of configs) {
    test(label(c), async () => {
      const result = await exploreAll('v6.12', c);
      expect(result.failures).toEqual([]);
      expect(result.exhausted).toBe(true);
      expect(result.schedules).toBeGreaterThan(1);
    });
  }
});
