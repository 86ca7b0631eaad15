/**
 * How the processes and threads kemu searches in use V8's young generation.
 *
 * A run allocates about 150 KB (its kernel, tasks and memory, and the
 * explorer's records of its steps), and all of it is garbage once the run
 * ends: a search wants every such object to die young, in a scavenge.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * The resource limits of every thread kemu searches in (the command's worker,
 * `--workers` threads, the watchdog's replays): a young generation of 96 MB,
 * twice a worker's default of 48 (two 16 MB semi-spaces and a large-object
 * space as big). At the default size V8 came to promote 2.6-3 MB of every
 * 13 MB between scavenges, and garbage collection took a third of a search's
 * CPU; at this size it promoted almost nothing. Measured on QI v6.12
 * [1,1,1,0], DPOR, in a worker thread, CPU per search in two rounds of
 * three: 4.5-6.1 s at the default, 2.2-3.6 s at this size. `npm run
 * soundness`, which searches in node's main thread, gives it 32 MB
 * semi-spaces, the same young generation (test/explore/young-generation.test.ts
 * holds it to that).
 */
export const SEARCH_THREAD_LIMITS = { maxYoungGenerationSizeMb: 96 } as const;

/**
 * V8 flags of a process that searches, for all its threads (V8's flags are
 * the process's): no allocation-site pretenuring. V8 watches which
 * allocation sites' objects survive scavenges and has a site that looks
 * long-lived allocate straight into the old generation. In a search, once
 * a scavenge has happened to find a run's objects alive, sites of the model
 * are pretenured; V8 later finds the old generation dying and resets them,
 * but the search stays slower: QI v6.12 [1,1,0] searched 40 times in one
 * worker took 70-100 ms of CPU a search, until the 16th search, then
 * 200-450 ms to the end. With this flag, 75-110 ms throughout.
 */
export const SEARCH_V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

/**
 * Sets SEARCH_V8_FLAGS in this process, before its first search: bin/kemu.ts
 * calls it. `npm run soundness` and `npm run bench` give node the flags on
 * its command line instead, where they apply from the process's start.
 */
export function tuneProcessForSearch(): void {
  for (const flag of SEARCH_V8_FLAGS) setFlagsFromString(flag);
}
