/**
 * Exploration at scale: worker threads against one thread on the same
 * exploration (with a check that the merged result equals the single one),
 * and the memory a long exploration keeps (peak RSS over a million schedules).
 */
import { availableParallelism } from 'node:os';
import { explore, search, type ExploreOptions } from '../src/explore/index.js';
import { searchInWorkers } from '../src/explore/parallel.js';
import { builtinScenario } from '../drivers/builtin.js';

export interface ParallelFigures {
  scenario: string;
  strategy: string;
  schedules: number;
  oneThreadMs: number;
  workers: number;
  workersMs: number;
  speedup: number;
  sameResult: boolean;
}

export interface MemoryFigures {
  schedules: number;
  rssAt100kMb: number;
  peakRssMb: number;
  heapAt100kMb: number;
  heapAtEndMb: number;
  growth: number;
}

const BUILTIN = new URL('../drivers/builtin.js', import.meta.url).href;

export async function benchParallel(name = 'three-writers', strategy: ExploreOptions['strategy'] = { kind: 'random', seed: 1, runs: 400_000 }): Promise<ParallelFigures> {
  const workers = Math.max(2, Math.min(availableParallelism(), 4));
  const options = { strategy, shrink: false } as const;
  const t0 = performance.now();
  const one = await search(builtinScenario(name, undefined), options);
  const oneThreadMs = performance.now() - t0;
  const t1 = performance.now();
  const many = await searchInWorkers({ module: BUILTIN, factory: 'builtinScenario', args: [name, undefined] }, options, workers);
  const workersMs = performance.now() - t1;
  const essence = (r: typeof one) => JSON.stringify([r.schedules, r.pruned, r.found.map((f) => [f.signature, f.token, f.preemptions, f.occurrences])]);
  return {
    scenario: name, strategy: one.strategy, schedules: one.schedules, oneThreadMs, workers, workersMs,
    speedup: oneThreadMs / workersMs, sameResult: essence(one) === essence(many),
  };
}

export async function benchMemory(schedules = 1_000_000): Promise<MemoryFigures> {
  const mb = (bytes: number) => bytes / 2 ** 20;
  let peakRss = 0;
  let rssAt100k = 0;
  let heapAt100k = 0;
  let runs = 0;
  global.gc?.();
  await explore(builtinScenario('lost-update', undefined), {
    strategy: { kind: 'random', seed: 1, runs: schedules }, shrink: false,
    onRunEnd: () => {
      runs++;
      if (runs % 50_000 !== 0) return;
      const usage = process.memoryUsage();
      peakRss = Math.max(peakRss, usage.rss);
      if (runs === 100_000) {
        rssAt100k = usage.rss;
        heapAt100k = usage.heapUsed;
      }
    },
  });
  const heapAtEnd = process.memoryUsage().heapUsed;
  return {
    schedules, rssAt100kMb: mb(rssAt100k), peakRssMb: mb(peakRss), heapAt100kMb: mb(heapAt100k), heapAtEndMb: mb(heapAtEnd),
    growth: peakRss / rssAt100k,
  };
}
