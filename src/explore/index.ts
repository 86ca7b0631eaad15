/** The explorer's public API. */
export { explore, replay, runOnce, type ExploreOptions } from './explore.js';
export type { Scenario } from './run-schedule.js';
export type { StrategySpec } from './strategy.js';
export type { ExploreResult, Failure, CapturedRun, ExploreProgress, StopReason } from './result.js';
export type { PctBound } from './pct.js';
