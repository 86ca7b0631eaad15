/**
 * The resource limits of every thread kemu searches in (the command's worker,
 * `--workers` threads, the watchdog's replays): a young generation of 96 MB,
 * twice a worker's default of 48 (two 16 MB semi-spaces and a large-object
 * space as big). A run allocates about 150 KB and is garbage once it ends,
 * yet at the default size V8 came to promote 2.6-3 MB of every 13 MB between
 * scavenges, and garbage collection took a third of a search's CPU; at this
 * size it promoted almost nothing. Measured on QI v6.12 [1,1,1,0], DPOR, in
 * a worker thread, CPU per search in two rounds of three: 4.5-6.1 s at the
 * default, 2.2-3.6 s at this size. `npm run soundness`, which searches in
 * node's main thread, gives it 32 MB semi-spaces, the same young generation
 * (test/explore/young-generation.test.ts holds it to that).
 */
export const SEARCH_THREAD_LIMITS = { maxYoungGenerationSizeMb: 96 } as const;
