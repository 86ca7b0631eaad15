/**
 * Does the explorer cover every trace that random runs hit? For scenarios too
 * large to enumerate (the VT-d queued-invalidation race), this is the check
 * that stands in for the enumerator: every distinct trace among many seeded
 * random runs must be the trace of some schedule DPOR ran.
 *
 * Traces are compared with hardware steps that influence no CPU trimmed
 * (trimHardware in trace-class.ts): a device agent runs on after the CPUs are
 * done, and how far it got changes nothing any CPU can observe.
 */
import { explore } from '../../src/explore/index.js';
import { Rng } from '../../src/explore/rng.js';
import type { Scenario } from '../../src/explore/run-schedule.js';
import { recordedRun, replaySchedule, scheduleText, type RecordedRun } from './recorded-run.js';
import { traceKey, trimHardware } from './trace-class.js';

export interface TraceCoverage {
  readonly randomRuns: number;
  /** Distinct trimmed traces the random runs hit. */
  readonly randomTraces: number;
  readonly explorerSchedules: number;
  /** Distinct trimmed traces among the explorer's schedules. */
  readonly explorerTraces: number;
  /** Traces random runs hit and the explorer never ran, each with the first random schedule in it. */
  readonly missed: ReadonlyMap<string, string>;
}

/** The run's trace as the CPUs see it. */
function trimmedKey(run: RecordedRun): string {
  const hardware = new Set(run.kernel.tasks.filter((t) => t.kind === 'hardware').map((t) => t.comm));
  return traceKey(trimHardware(run.steps, (task) => hardware.has(task)));
}

export async function traceCoverage(scenario: Scenario, options: { runs: number; seed: number }): Promise<TraceCoverage> {
  const schedules: number[][] = [];
  const result = await explore(scenario, {
    strategy: 'dpor', shrink: false, lockdep: { enabled: false },
    onRunEnd: (_kernel, outcome, schedule) => {
      if (outcome.kind !== 'pruned') schedules.push([...schedule]);
    },
  });
  const explored = new Set<string>();
  for (const pids of schedules) explored.add(trimmedKey(await replaySchedule(scenario, pids)));

  const rng = new Rng(options.seed);
  const hit = new Set<string>();
  const missed = new Map<string, string>();
  for (let i = 0; i < options.runs; i++) {
    const run = await recordedRun(scenario, (enabled) => enabled[rng.below(enabled.length)]!);
    const key = trimmedKey(run);
    hit.add(key);
    if (!explored.has(key) && !missed.has(key)) missed.set(key, scheduleText(run.steps.map((s) => s.task)));
  }
  return { randomRuns: options.runs, randomTraces: hit.size, explorerSchedules: result.schedules, explorerTraces: explored.size, missed };
}
