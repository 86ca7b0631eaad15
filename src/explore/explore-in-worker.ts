/**
 * Exploring in a worker thread under the run watchdog (watchdog.ts): what
 * explore() does, for a scenario a module exports, except that a task that
 * loops in plain JavaScript with no scheduling point cannot hang the caller.
 * explore() itself cannot offer this: its scenario is a function, which can
 * be neither moved into another thread nor stopped in its own; a module can
 * be loaded again in a worker, which the caller's thread can terminate.
 */
import { KemuError, type KemuErrorKind } from '../kernel/errors.js';
import type { FoundFailure } from './explore.js';
import type { ScenarioSource, WorkerOptions } from './scenario-source.js';
import type { ExploreResult } from './result.js';
import { superviseWorker } from './watchdog.js';

export interface WorkerExploreOptions extends WorkerOptions {
  /**
   * How long one step may run, in milliseconds, before its task counts as
   * looping with no scheduling point (default DEFAULT_WATCHDOG_MS, 10 s): the
   * worker is then terminated, and the exploration rejects with a
   * `runaway-task` KemuError that says where the task loops and lists what
   * was found before, with tokens. 0: no limit.
   */
  watchdogMs?: number;
}

/** How long a step may run, unless an exploration says otherwise. */
export const DEFAULT_WATCHDOG_MS = 10_000;

/** What the worker is given (explore-worker.ts). */
export interface ExploreWork {
  source: ScenarioSource;
  options: WorkerOptions;
  watchdogMs: number;
}

/** What the worker sends back. */
export type ExploreWorkerMessage =
  | { kind: 'found'; found: FoundFailure }
  | { kind: 'result'; result: ExploreResult }
  /** explore() threw: a KemuError keeps its kind (`kemuKind`); anything else is a bug in kemu. */
  | { kind: 'threw'; error: Error; kemuKind: KemuErrorKind | null };

/**
 * Explores the scenario `source` names (`(await import(module))[factory](...args)`,
 * a TypeScript module through tsx) in a worker thread, as explore() would:
 * the same schedules, failures, tokens and reports. Options are plain data.
 */
export async function exploreInWorker(source: ScenarioSource, options: WorkerExploreOptions = {}): Promise<ExploreResult> {
  if (import.meta.url.endsWith('.ts')) {
    throw new KemuError('bad-usage', 'exploreInWorker runs kemu in a worker thread, which needs kemu compiled to JavaScript: import kemu from its package (dist/), not from its .ts sources');
  }
  const { watchdogMs = DEFAULT_WATCHDOG_MS, ...rest } = options;
  const found: FoundFailure[] = [];
  let answer = null as Exclude<ExploreWorkerMessage, { kind: 'found' }> | null;
  const { ended } = superviseWorker(new URL('./explore-worker.js', import.meta.url), {
    workerData: { source, options: rest, watchdogMs } satisfies ExploreWork,
  }, (message) => {
    const m = message as ExploreWorkerMessage;
    if (m.kind === 'found') found.push(m.found);
    else answer = m;
  });
  const how = await ended;
  if (answer?.kind === 'result') return answer.result;
  if (answer?.kind === 'threw') throw answer.kemuKind ? new KemuError(answer.kemuKind, answer.error.message, { cause: answer.error }) : answer.error;
  if (how.kind === 'stalled') {
    const before = found.length > 0 ? `\nFound before it (replay each token to see it):\n  ${found.map((f) => `${f.signature}: ${f.token}`).join('\n  ')}` : '';
    throw new KemuError('runaway-task', `${how.message}\nwatchdogMs sets how long a step may run (0: no limit).${before}`);
  }
  throw how.kind === 'failed' ? how.error : new Error(`the exploration's worker thread exited (code ${how.code}) without a result`);
}
