/**
 * Exploration at scale: worker threads against one thread on the same
 * exploration (with a check that the merged result equals the single one),
 * and the memory a long exploration keeps (peak RSS over a million schedules).
 */
import { availableParallelism } from 'node:os';
import { explore, search, type ExploreOptions } from '../src/explore/index.js';
import { searchInWorkers } from '../src/explore/parallel.js';
import builtin from '../catalog/builtin.js';
import { assembleCatalog } from '../src/machine/plugin.js';
import { resolveTarget } from '../src/cli/targets.js';
import { workerSource } from '../src/cli/worker-target.js';

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
  /** Live heap (after a full GC) after 100k schedules and at the end. */
  heapAt100kMb: number;
  heapAtEndMb: number;
  /** Live heap at the end over live heap after 100k: about 1 when nothing accumulates. */
  growth: number;
}

const BUILTIN = new URL('../catalog/builtin.js', import.meta.url).href;

/** A built-in board's or scenario's scenario, as the command resolves it. */
async function builtinScenario(name: string, variant: string | undefined) {
  return (await resolveTarget(assembleCatalog([{ source: BUILTIN, plugin: builtin }]), { name, kernel: variant })).scenario;
}

/** One thread against worker threads on the same exploration: random runs of the VT-d 0-count race on v6.12. */
export async function benchParallel(name = 'qi-zero-count', variant = 'v6.12', runs = 250_000): Promise<ParallelFigures> {
  const workers = Math.max(2, Math.min(availableParallelism(), 4));
  const options = { strategy: { kind: 'random', seed: 1, runs }, maxSchedules: runs, shrink: false } as const satisfies ExploreOptions;
  const t0 = performance.now();
  const one = await search(await builtinScenario(name, variant), options);
  const oneThreadMs = performance.now() - t0;
  const t1 = performance.now();
  const many = await searchInWorkers(workerSource([BUILTIN], { name, kernel: variant }), options, workers);
  const workersMs = performance.now() - t1;
  const essence = (r: typeof one) => JSON.stringify([r.schedules, r.pruned, r.found.map((f) => [f.signature, f.token, f.preemptions, f.occurrences])]);
  return {
    scenario: `${name} ${variant}`, strategy: one.strategy, schedules: one.schedules, oneThreadMs, workers, workersMs,
    speedup: oneThreadMs / workersMs, sameResult: essence(one) === essence(many),
  };
}

/** Live heap: after a full collection (the bench runs node with --expose-gc; without it, the current heap). */
function liveHeap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

export async function benchMemory(schedules = 1_000_000): Promise<MemoryFigures> {
  const mb = (bytes: number) => bytes / 2 ** 20;
  let peakRss = 0;
  let rssAt100k = 0;
  let heapAt100k = 0;
  let runs = 0;
  await explore(await builtinScenario('lost-update', undefined), {
    strategy: { kind: 'random', seed: 1, runs: schedules }, shrink: false,
    onRunEnd: () => {
      runs++;
      if (runs % 50_000 !== 0) return;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (runs === 100_000) {
        rssAt100k = process.memoryUsage().rss;
        heapAt100k = liveHeap();
      }
    },
  });
  const heapAtEnd = liveHeap();
  return {
    schedules, rssAt100kMb: mb(rssAt100k), peakRssMb: mb(peakRss), heapAt100kMb: mb(heapAt100k), heapAtEndMb: mb(heapAtEnd),
    growth: heapAtEnd / heapAt100k,
  };
}
