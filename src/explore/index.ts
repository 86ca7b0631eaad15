/** The explorer's public API. */
export { explore, search, mergeSearches, finishSearch, replay, runOnce, type ExploreOptions, type SearchResult, type FoundFailure } from './explore.js';
export { exploreInWorker, DEFAULT_WATCHDOG_MS, type WorkerExploreOptions } from './explore-in-worker.js';
export type { ScenarioSource } from './scenario-source.js';
export type { Shard } from './strategy.js';
export type { Scenario } from './run-schedule.js';
export type { StrategySpec } from './strategy.js';
export type { ExploreResult, Failure, CapturedRun, ExploreProgress, StopReason } from './result.js';
export type { PctBound } from './pct.js';
