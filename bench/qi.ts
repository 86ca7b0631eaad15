/**
 * The VT-d queued-invalidation figures: for the 0-count race on 2 and 3 CPUs,
 * schedules and time to the first failure before the fix (v6.11), schedules
 * and time to exhaust after it (v6.12), and what partial-order reduction saves
 * against unreduced search; cost curves as CPUs, descriptors per submission
 * and ring size change; and kemu against the fast-check peer.
 */
import { search, type ExploreOptions, type SearchResult } from '../src/explore/index.js';
import { qiZeroCount } from '../drivers/iommu/intel/scenarios.js';
import { benchFastCheckPeer } from './peer-fast-check-qi.js';

export interface QiRow {
  counts: number[];
  queueLength: number;
  variant: string;
  strategy: string;
  schedules: number;
  pruned: number;
  exhausted: boolean;
  found: string[];
  ms: number;
}

const exhaustedOf = (r: SearchResult) => r.exhaustiveStrategy && r.stoppedBy === 'exhausted' && r.stepBounded === 0;

async function measure(counts: number[], variant: string, queueLength: number, options: ExploreOptions): Promise<QiRow> {
  const t0 = performance.now();
  const r = await search(qiZeroCount({ counts, variant, queueLength }), options);
  return {
    counts, queueLength, variant, strategy: r.strategy, schedules: r.schedules, pruned: r.pruned, exhausted: exhaustedOf(r),
    found: r.found.map((f) => f.signature.split(':')[0]!), ms: performance.now() - t0,
  };
}

/** Issue-4 figures: first failure on v6.11, exhaustion on v6.12, DPOR against unreduced search (with a cap). */
export async function benchQiHeadline(): Promise<{ rows: QiRow[]; unreduced: QiRow[] }> {
  const rows: QiRow[] = [];
  const unreduced: QiRow[] = [];
  for (const counts of [[1, 0], [1, 1, 0]]) {
    rows.push(await measure(counts, 'v6.11', 8, { strategy: 'dpor', stopOnFirstFailure: true }));
    rows.push(await measure(counts, 'v6.12', 8, { strategy: 'dpor' }));
    unreduced.push(await measure(counts, 'v6.12', 8, { strategy: 'exhaustive', maxSchedules: 200_000, timeLimitMs: 60_000 }));
  }
  return { rows, unreduced };
}

/**
 * Cost curves on v6.12: each row one step of growth, with the factor against
 * the previous row when both were exhausted (null otherwise: a count a limit
 * stopped is a lower bound, and a ratio of bounds says nothing).
 */
export async function benchQiCurves(): Promise<{ name: string; rows: (QiRow & { growth: number | null })[] }[]> {
  const curves: { name: string; configs: [number[], number][] }[] = [
    { name: 'CPUs (1 descriptor each, one 0-count)', configs: [[[1, 0], 8], [[1, 1, 0], 8], [[1, 1, 1, 0], 8]] },
    { name: 'descriptors per submission', configs: [[[1, 0], 8], [[2, 0], 8], [[3, 0], 8]] },
    { name: 'ring size (smaller wraps)', configs: [[[2, 1, 0], 16], [[2, 1, 0], 8], [[2, 1, 0], 6]] },
  ];
  const out = [];
  for (const curve of curves) {
    const rows: (QiRow & { growth: number | null })[] = [];
    for (const [counts, queueLength] of curve.configs) {
      const row = await measure(counts, 'v6.12', queueLength, { strategy: 'dpor', timeLimitMs: 60_000 });
      const prev = rows[rows.length - 1];
      rows.push({ ...row, growth: prev?.exhausted && row.exhausted ? row.schedules / prev.schedules : null });
    }
    out.push({ name: curve.name, rows });
  }
  return out;
}

export interface PeerComparison {
  seeds: number;
  fastCheckMedianMs: number;
  fastCheckWorstMs: number;
  fastCheckMedianRuns: number;
  fastCheckMissed: number;
  kemuDporMedianMs: number;
  kemuDporWorstMs: number;
  kemuDporSchedules: number;
  kemuRandomMedianMs: number;
  kemuRandomWorstMs: number;
  fastCheckFixedRuns: number;
  fastCheckFixedMs: number;
  kemuFixedSchedules: number;
  kemuFixedExhausted: boolean;
  kemuFixedMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Time to the first v6.11 failure over many seeds, for fast-check's scheduler and for kemu; and what each says of v6.12. */
export async function benchPeer(seeds = 100): Promise<PeerComparison> {
  const peer = await benchFastCheckPeer(seeds);
  const found = peer.perSeed.filter((s) => s.runs !== null);
  // DPOR is deterministic: the same search repeated as many times as fast-check had seeds, for a like-for-like median.
  const dpor: QiRow[] = [];
  for (let i = 0; i < seeds; i++) dpor.push(await measure([1, 0], 'v6.11', 8, { strategy: 'dpor', stopOnFirstFailure: true }));
  const randomMs: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await measure([1, 0], 'v6.11', 8, { strategy: { kind: 'random', seed: seed * 10_007, runs: 10_000 }, stopOnFirstFailure: true });
    randomMs.push(r.ms);
  }
  const fixed = await measure([1, 0], 'v6.12', 8, { strategy: 'dpor' });
  return {
    seeds, fastCheckMedianMs: median(peer.perSeed.map((s) => s.ms)), fastCheckWorstMs: Math.max(...peer.perSeed.map((s) => s.ms)),
    fastCheckMedianRuns: median(found.map((s) => s.runs!)), fastCheckMissed: seeds - found.length,
    kemuDporMedianMs: median(dpor.map((r) => r.ms)), kemuDporWorstMs: Math.max(...dpor.map((r) => r.ms)), kemuDporSchedules: dpor[0]!.schedules,
    kemuRandomMedianMs: median(randomMs), kemuRandomWorstMs: Math.max(...randomMs),
    fastCheckFixedRuns: peer.fixedRuns, fastCheckFixedMs: peer.fixedMs,
    kemuFixedSchedules: fixed.schedules, kemuFixedExhausted: fixed.exhausted, kemuFixedMs: fixed.ms,
  };
}
