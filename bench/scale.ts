/**
 * Exploration at scale: worker threads against one thread on the same
 * exploration (with a check that the merged result equals the single one),
 * and the memory a long exploration keeps (peak RSS over a million schedules).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { explore, type ExploreOptions, type SearchResult } from '../src/explore/index.js';
import { searchInWorkers } from '../src/explore/parallel.js';
import builtin from '../catalog/builtin.js';
import { assembleCatalog } from '../src/machine/plugin.js';
import { resolveTarget, type TargetRequest } from '../src/cli/targets.js';
import { workerSource } from '../src/cli/worker-target.js';

export interface ParallelFigures {
  scenario: string;
  strategy: string;
  schedules: number;
  /** Wall time, medians of the repeats. */
  oneThreadMs: number;
  workers: number;
  workersMs: number;
  /** CPU time of the whole process (every thread), medians of the repeats. */
  oneThreadCpuMs: number;
  workersCpuMs: number;
  /** oneThreadMs / workersMs. */
  speedup: number;
  /**
   * How much sooner `workers` independent copies of the one-thread search
   * finish run at once than one after the other (workers * oneThreadMs over
   * their wall, median): `workers` when this workload scales to that many
   * threads, about 1 when they contend (for shared caches, or for the cores
   * the garbage collector's and compiler's helper threads use too). No split
   * of one search between the workers can beat it. Null where the case is too
   * long to run that many times over.
   */
  independentCopies: number | null;
  repeats: number;
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
async function builtinScenario(request: TargetRequest) {
  return (await resolveTarget(assembleCatalog([{ source: BUILTIN, plugin: builtin }]), request)).scenario;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/**
 * The explorations the parallel bench times: random runs of the VT-d race,
 * and DPOR over every class with four CPUs, and with five (issue 10's
 * moonshot: exhausted in 60 s), timed once, as it takes minutes.
 */
export const PARALLEL_CASES: readonly { request: TargetRequest; options: ExploreOptions; repeats: number; independentCopies: boolean }[] = [
  { request: { name: 'qi-zero-count', kernel: 'v6.12' }, options: { strategy: { kind: 'random', seed: 1, runs: 250_000 }, shrink: false }, repeats: 3, independentCopies: true },
  { request: { name: 'qi-zero-count', kernel: 'v6.12', params: { counts: [1, 1, 1, 0] } }, options: { strategy: 'dpor', shrink: false }, repeats: 3, independentCopies: true },
  { request: { name: 'qi-zero-count', kernel: 'v6.12', params: { counts: [1, 1, 1, 1, 0] } }, options: { strategy: 'dpor', shrink: false }, repeats: 1, independentCopies: false },
];

/**
 * One thread against worker threads on the same exploration, each timed
 * `repeats` times (wall and CPU, medians), with a check that the merged
 * result equals the single one, and, with `independentCopies`, as many
 * independent one-thread searches at once as there are workers, in each
 * repeat: what this machine lets the workload gain from more threads at that
 * moment. The one thread is a worker thread too, with a fresh heap like each
 * of the others: in the bench's own process, whose heap the figures before
 * have grown, a long search takes up to twice the CPU.
 */
export async function benchParallel(request: TargetRequest, options: ExploreOptions, repeats = 3, independentCopies = false): Promise<ParallelFigures> {
  const workers = Math.max(2, Math.min(availableParallelism(), 4));
  const source = workerSource([BUILTIN], request);
  const walls: [number[], number[]] = [[], []];
  const cpus: [number[], number[]] = [[], []];
  const copies: number[] = [];
  const essence = (r: SearchResult) => JSON.stringify([r.schedules, r.pruned, r.found.map((f) => [f.signature, f.token, f.preemptions, f.occurrences])]);
  let one: SearchResult | null = null;
  let sameResult = true;
  for (let i = 0; i < repeats; i++) {
    let [t, c] = [performance.now(), cpuMs()];
    one = await searchInWorkers(source, options, 1);
    walls[0].push(performance.now() - t);
    cpus[0].push(cpuMs() - c);
    [t, c] = [performance.now(), cpuMs()];
    const many = await searchInWorkers(source, options, workers);
    walls[1].push(performance.now() - t);
    cpus[1].push(cpuMs() - c);
    sameResult &&= essence(one) === essence(many);
    if (!independentCopies) continue;
    t = performance.now();
    await Promise.all(Array.from({ length: workers }, () => searchInWorkers(source, options, 1)));
    copies.push((workers * walls[0][i]!) / (performance.now() - t));
  }
  const [oneThreadMs, workersMs] = [median(walls[0]), median(walls[1])];
  const params = request.params ? ` ${Object.entries(request.params).map(([k, v]) => `${k} ${String(v)}`).join(' ')}` : '';
  return {
    scenario: `${request.name}${params} ${request.kernel}`, strategy: one!.strategy, schedules: one!.schedules, oneThreadMs, workers, workersMs,
    oneThreadCpuMs: median(cpus[0]), workersCpuMs: median(cpus[1]), speedup: oneThreadMs / workersMs,
    independentCopies: copies.length > 0 ? median(copies) : null, repeats, sameResult,
  };
}

/** A loop of integer work a thread runs for about half a second on this machine. */
const BUSY_LOOP = `
  const { parentPort, workerData } = require('node:worker_threads');
  let x = 1;
  for (let i = 0; i < workerData; i++) x = (x * 1103515245 + 12345) % 2147483647;
  parentPort.postMessage(x);
`;

async function busyThreads(threads: number, iterations: number): Promise<number> {
  const t = performance.now();
  await Promise.all(Array.from({ length: threads }, () => new Promise<void>((done, fail) => {
    const worker = new Worker(BUSY_LOOP, { eval: true, workerData: iterations });
    worker.once('message', () => void worker.terminate().then(() => done()));
    worker.once('error', fail);
  })));
  return performance.now() - t;
}

/**
 * How much CPU the machine gives two busy threads at once, against one alone:
 * 2 when two cores are free, 1 when the two share one. A worker speedup can
 * be no better; the bench prints it beside the speedup.
 */
export async function benchTwoThreads(iterations = 100_000_000, repeats = 3): Promise<number> {
  const factors: number[] = [];
  for (let i = 0; i < repeats; i++) factors.push((2 * (await busyThreads(1, iterations))) / (await busyThreads(2, iterations)));
  return median(factors);
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
  await explore(await builtinScenario({ name: 'lost-update' }), {
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
