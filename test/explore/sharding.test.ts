/**
 * Sharding: an exploration split into n deterministic shards merges back into
 * exactly the result of one exploration — schedules counted, failures found,
 * and the token kept for each failure, and the runs the reduction cut.
 */
import { describe, expect, test } from 'vitest';
import { mergeSearches, search, type ExploreOptions, type SearchResult } from '../../src/explore/index.js';
import type { Scenario } from '../../src/explore/index.js';
import { abba, counter, peterson } from '../../src/examples/classic-scenarios.js';
import { qiZeroCount } from '../../drivers/iommu/intel/scenarios.js';

/** The parts of a search result that sharding must preserve exactly. */
function essence(r: SearchResult) {
  return {
    schedules: r.schedules, pruned: r.pruned, stepBounded: r.stepBounded, stoppedBy: r.stoppedBy, pct: r.pct, twins: r.twins, cuts: r.cuts,
    found: r.found.map((f) => ({ signature: f.signature, token: f.token, preemptions: f.preemptions, occurrences: f.occurrences }))
      .sort((a, b) => a.signature.localeCompare(b.signature)),
  };
}

const CASES: [string, Scenario, ExploreOptions['strategy']][] = [
  ['Peterson, exhaustive', peterson(false), 'exhaustive'],
  ['broken Peterson, exhaustive', peterson(true), 'exhaustive'],
  ['ABBA, bounded to 2 preemptions', abba, { kind: 'bounded', preemptions: 2 }],
  ['lost update, random', counter(false), { kind: 'random', seed: 5, runs: 300 }],
  ['ABBA, PCT', abba, { kind: 'pct', depth: 2, seed: 9, runs: 200 }],
  ['broken Peterson, DPOR', peterson(true), 'dpor'],
  ['VT-d 0-count race, v6.11, 2 CPUs, DPOR', qiZeroCount({ variant: 'v6.11', counts: [1, 0] }), 'dpor'],
  ['VT-d, v6.12, 3 CPUs (two of them twins), DPOR', qiZeroCount({ variant: 'v6.12', counts: [1, 1, 0] }), 'dpor'],
];

describe('shards merge into the single exploration', () => {
  for (const [name, scenario, strategy] of CASES) {
    for (const count of [2, 3]) {
      test(`${name}, ${count} shards`, async () => {
        const whole = await search(scenario, { strategy });
        const parts: SearchResult[] = [];
        for (let index = 0; index < count; index++) parts.push(await search(scenario, { strategy, shard: { index, count } }));
        expect(parts.every((p) => p.schedules < whole.schedules)).toBe(true);
        expect(essence(mergeSearches(parts))).toEqual(essence(whole));
      });
    }
  }

  test('the default search and DPOR without a top refuse to be sharded, and say why', async () => {
    await expect(search(abba, { shard: { index: 0, count: 2 } })).rejects.toThrow(/default strategy cannot be sharded: its stages are budgeted over the whole search; shard dpor/);
    await expect(search(abba, { strategy: 'dpor', splitWeight: 1, shard: { index: 0, count: 2 } })).rejects.toThrow(/splitWeight 1 has no top to split/);
  });

  test('a shard that does not exist is refused', async () => {
    await expect(search(abba, { strategy: 'exhaustive', shard: { index: 2, count: 2 } })).rejects.toThrow(/shard 3\/2 does not exist/);
  });
});
