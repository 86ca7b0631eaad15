/**
 * Sharding: an exploration split into n deterministic shards merges back into
 * exactly the result of one exploration — schedules counted, failures found,
 * and the token kept for each failure, and the runs the reduction cut —
 * whether the shards deal out the leaves of the tree's top by number or
 * claim them in a shared directory.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { mergeSearches, search, type ExploreOptions, type SearchResult } from '../../src/explore/index.js';
import type { Scenario } from '../../src/explore/index.js';
import { abba, counter, peterson } from '../../src/examples/classic-scenarios.js';
import { qiZeroCount } from '../../drivers/iommu/intel/scenarios.js';
import { ClaimDirectory } from '../../src/explore/claim-directory.js';

/** The parts of a search result that sharding must preserve exactly. */
function essence(r: SearchResult) {
  return {
    schedules: r.schedules, pruned: r.pruned, stepBounded: r.stepBounded, stoppedBy: r.stoppedBy, pct: r.pct, twins: r.twins, cuts: r.cuts,
    found: r.found.map((f) => ({ signature: f.signature, token: f.token, preemptions: f.preemptions, firstSchedule: f.firstSchedule, occurrences: f.occurrences }))
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

describe('shards that claim their leaves in a shared directory merge into the single exploration', () => {
  const claimed = (index: number, count: number, directory: string, exploration = 'sharding test') =>
    ({ index, count, claimDirectory: { directory, exploration } });
  const freshDirectory = () => join(mkdtempSync(join(tmpdir(), 'kemu-claimed-')), 'claims');
  const SYSTEMATIC = CASES.filter(([, , strategy]) => typeof strategy === 'string' || strategy?.kind === 'bounded');

  for (const [name, scenario, strategy] of SYSTEMATIC) {
    test(`${name}, 3 shards, the leaves claimed in a scrambled order`, async () => {
      const whole = await search(scenario, { strategy });
      const directory = freshDirectory();
      // Shards 2 and 3 got to some leaves first, as shards that walk the top at their own pace do; shard 1 claims the rest.
      // (Searches in one thread cannot run at once: test/docs/ci-shards.test.ts runs claimed shards as processes.)
      const early = [new ClaimDirectory(claimed(1, 3, directory).claimDirectory, 1), new ClaimDirectory(claimed(2, 3, directory).claimDirectory, 2)];
      for (let leaf = 0; leaf < 64; leaf++) if (leaf % 3 !== 0) early[(leaf * 5) % 2]!.claim(leaf);
      const parts: SearchResult[] = [];
      for (let index = 0; index < 3; index++) parts.push(await search(scenario, { strategy, shard: claimed(index, 3, directory) }));
      const merged = mergeSearches(parts);
      expect(essence(merged)).toEqual(essence(whole));
      expect(merged.leaves!.owned).toBe(merged.leaves!.met);
      expect(parts.every((p) => p.leaves!.met === merged.leaves!.met)).toBe(true);
      expect(parts.filter((p) => p.leaves!.owned > 0).length).toBe(Math.min(3, merged.leaves!.met));
    });
  }

  test('a shard run again in the same directory explores again what it claimed: the merge is still exact', async () => {
    const scenario = qiZeroCount({ variant: 'v6.12', counts: [1, 1, 0] });
    const whole = await search(scenario, { strategy: 'dpor' });
    const directory = freshDirectory();
    const lost = await search(scenario, { strategy: 'dpor', shard: claimed(0, 2, directory) });
    expect(lost.leaves!.owned).toBe(lost.leaves!.met);
    const parts = [await search(scenario, { strategy: 'dpor', shard: claimed(1, 2, directory) }), await search(scenario, { strategy: 'dpor', shard: claimed(0, 2, directory) })];
    expect(parts[0]!.schedules).toBe(0);
    expect(essence(mergeSearches(parts))).toEqual(essence(whole));
  });

  test('shards of two claim directories do not add up, and the merge says so', async () => {
    const parts = [
      await search(abba, { strategy: 'exhaustive', shard: claimed(0, 2, freshDirectory()) }),
      await search(abba, { strategy: 'exhaustive', shard: claimed(1, 2, freshDirectory()) }),
    ];
    expect(() => mergeSearches(parts)).toThrow(/these shards explored \d+ of the \d+ leaves of the tree's top, some twice, so they do not add up to one search/);
  });

  test('random and PCT runs cannot be claimed', async () => {
    await expect(search(abba, { strategy: { kind: 'random', runs: 10 }, shard: claimed(0, 2, freshDirectory()) }))
      .rejects.toThrow(/claimed shards split a systematic search \(dpor, exhaustive, bounded\) by the leaves of its tree; random runs are dealt by their number/);
  });
});
