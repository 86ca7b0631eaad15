/**
 * The explorer's entry points: `explore` runs a scenario under a strategy and
 * returns what it found; `replay` reruns one schedule from its token.
 */
import { KemuError } from '../kernel/errors.js';
import type { Chooser, Kernel, RunOutcome } from '../kernel/kernel.js';
import type { LockdepOptions } from '../kernel/lockdep/lockdep.js';
import type { FaultPlan } from '../kernel/fault-inject.js';
import { DporSearch } from './dpor.js';
import { ExhaustiveSearch, PreemptionBoundedSearch } from './exhaustive.js';
import { PctSearch } from './pct.js';
import { RandomWalk } from './random-walk.js';
import { ReplayChooser } from './replay.js';
import type { CapturedRun, ExploreProgress, ExploreResult, Failure, StopReason } from './result.js';
import { runSchedule, type RunSettings, type Scenario } from './run-schedule.js';
import { ScheduleRecorder } from './schedule.js';
import { shrinkPreemptions } from './shrink.js';
import type { Strategy, StrategySpec } from './strategy.js';
import { encodeToken, toSegments } from './token.js';
import { wallNow, yieldToEventLoop } from './wall-clock.js';

export interface ExploreOptions {
  /** Default: `dpor` (exhaustive with partial-order reduction). */
  strategy?: StrategySpec;
  /** Stop after this many schedules (default 1,000,000). */
  maxSchedules?: number;
  /** Steps allowed in one schedule (default 20,000). */
  maxSteps?: number;
  /** Stop after this much wall-clock time. */
  timeLimitMs?: number;
  /** Stop at the first failure (default false: collect every distinct failure). */
  stopOnFirstFailure?: boolean;
  /** Shrink each failing schedule towards fewer preemptions (default true). */
  shrink?: boolean;
  lockdep?: LockdepOptions;
  /** Fault injection: which calls of which should_fail() points fail, in every run. */
  faults?: FaultPlan;
  /** Called about twice a second on long explorations. */
  onProgress?: (progress: ExploreProgress) => void;
  /** Called after every run with its final state (for tools and tests that compare outcomes). */
  onRunEnd?: (kernel: Kernel, outcome: RunOutcome) => void;
}

function makeStrategy(spec: StrategySpec, maxSteps: number): Strategy {
  const s = typeof spec === 'string' ? { kind: spec } : spec;
  switch (s.kind) {
    case 'dpor': return new DporSearch();
    case 'exhaustive': return new ExhaustiveSearch();
    case 'bounded': return new PreemptionBoundedSearch(s.preemptions);
    case 'random': return new RandomWalk(s.seed ?? 1, s.runs ?? 1000);
    case 'pct': return new PctSearch(s.depth ?? 3, s.seed ?? 1, s.runs ?? 1000, Math.min(maxSteps, 1000));
    case 'replay': return ReplayChooser.fromToken(s.token);
    default: throw new KemuError('unknown-name', `unknown strategy ${JSON.stringify(spec)}: use dpor, exhaustive, bounded, random, pct or replay`);
  }
}

function settingsOf(options: ExploreOptions, capture: boolean): RunSettings {
  return { maxSteps: options.maxSteps ?? 20_000, lockdep: options.lockdep ?? {}, faults: options.faults ?? {}, capture };
}

export function captureRun(kernel: Kernel, outcome: string): CapturedRun {
  return {
    outcome: outcome as CapturedRun['outcome'],
    steps: kernel.stepCount,
    ns: kernel.clock.ns,
    tasks: kernel.tasks.map((t) => ({ pid: t.pid, comm: t.comm, cpu: t.cpu, kind: t.kind })),
    log: kernel.log.lines,
    reports: kernel.reports,
    trace: kernel.trace,
  };
}

/** Replays one schedule with call traces and the step trace. */
export async function replay(scenario: Scenario, token: string, options: Pick<ExploreOptions, 'maxSteps' | 'lockdep' | 'faults'> = {}): Promise<CapturedRun> {
  const chooser = ReplayChooser.fromToken(token);
  chooser.beginRun();
  const { kernel, outcome } = await runSchedule(scenario, chooser, settingsOf(options, true));
  chooser.endRun(outcome, kernel);
  return captureRun(kernel, outcome.kind);
}

/** The schedule a uniprocessor kernel without preemption would run: the current task goes on while it can, else the lowest pid. */
const NON_PREEMPTIVE: Chooser = {
  choose: (enabled, kernel) => (kernel.running && enabled.includes(kernel.running) ? kernel.running : enabled[0]!),
};

/** Runs one schedule (no preemption) with call traces and the step trace: what `kemu boot` shows. */
export async function runOnce(scenario: Scenario, options: Pick<ExploreOptions, 'maxSteps' | 'lockdep' | 'faults'> = {}): Promise<CapturedRun & { token: string }> {
  const recorder = new ScheduleRecorder(NON_PREEMPTIVE);
  const { kernel, outcome } = await runSchedule(scenario, recorder, settingsOf(options, true));
  return { ...captureRun(kernel, outcome.kind), token: encodeToken(toSegments(recorder.pids, recorder.ops)) };
}

interface Found {
  signature: string;
  token: string;
  preemptions: number;
  firstSchedule: number;
  occurrences: number;
}

export async function explore(scenario: Scenario, options: ExploreOptions = {}): Promise<ExploreResult> {
  const settings = settingsOf(options, false);
  const strategy = makeStrategy(options.strategy ?? 'dpor', settings.maxSteps);
  const maxSchedules = options.maxSchedules ?? 1_000_000;
  const found = new Map<string, Found>();
  const started = wallNow();
  let lastYield = started;
  let lastProgress = started;
  let schedules = 0;
  let pruned = 0;
  let stepBounded = 0;
  let maxSteps = 0;
  let stoppedBy: StopReason = strategy.exhaustive ? 'exhausted' : 'runs-done';

  while (strategy.beginRun()) {
    const recorder = new ScheduleRecorder(strategy.chooser);
    const { kernel, outcome } = await runSchedule(scenario, recorder, settings);
    strategy.endRun(outcome, kernel);
    options.onRunEnd?.(kernel, outcome);
    if (outcome.kind === 'pruned') pruned++;
    else schedules++;
    if (outcome.kind === 'step-bound') stepBounded++;
    maxSteps = Math.max(maxSteps, kernel.stepCount);
    for (const report of kernel.reports) {
      const known = found.get(report.signature);
      if (known) {
        known.occurrences++;
        if (recorder.preemptions < known.preemptions) {
          known.preemptions = recorder.preemptions;
          known.token = encodeToken(toSegments(recorder.pids, recorder.ops));
        }
      } else {
        found.set(report.signature, {
          signature: report.signature, token: encodeToken(toSegments(recorder.pids, recorder.ops)),
          preemptions: recorder.preemptions, firstSchedule: schedules + pruned, occurrences: 1,
        });
      }
    }
    if (options.stopOnFirstFailure && found.size > 0) {
      stoppedBy = 'first-failure';
      break;
    }
    if (schedules >= maxSchedules) {
      stoppedBy = 'schedule-limit';
      break;
    }
    const now = wallNow();
    if (options.timeLimitMs !== undefined && now - started > options.timeLimitMs) {
      stoppedBy = 'time-limit';
      break;
    }
    if (now - lastYield > 50) {
      lastYield = now;
      await yieldToEventLoop();
    }
    if (options.onProgress && now - lastProgress > 500) {
      lastProgress = now;
      options.onProgress({ schedules, pruned, failures: found.size, elapsedMs: now - started });
    }
  }

  const failures: Failure[] = [];
  for (const f of found.values()) {
    let { token, preemptions } = f;
    if (options.shrink !== false && preemptions > 0) {
      ({ token, preemptions } = await shrinkPreemptions(scenario, f.signature, token, preemptions, settings));
    }
    const run = await replay(scenario, token, options);
    const report = run.reports.find((r) => r.signature === f.signature);
    if (!report) {
      throw new KemuError('bad-usage', `replaying the schedule of "${f.signature}" did not reproduce it: the scenario is not deterministic`);
    }
    failures.push({ kind: report.kind, signature: f.signature, title: report.title, token, preemptions,
      firstSchedule: f.firstSchedule, occurrences: f.occurrences, report, run });
  }

  return {
    strategy: strategy.name, schedules, pruned, stepBounded,
    exhausted: strategy.exhaustive && stoppedBy === 'exhausted' && stepBounded === 0,
    stoppedBy, failures, elapsedMs: wallNow() - started, maxSteps,
    ...(strategy instanceof PctSearch ? { pct: strategy.bound() } : {}),
  };
}
