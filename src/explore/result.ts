/**
 * What an exploration returns: how much was explored, whether that was all of
 * it, and each distinct failure with a replay token and the full report from
 * replaying it.
 */
import type { RunOutcome, TraceStep } from '../kernel/kernel.js';
import type { LogLine } from '../kernel/printk.js';
import type { KernelReport, ReportKind } from '../kernel/detect/report.js';
import type { PctBound } from './pct.js';
import type { StageCoverage } from './staged-search.js';

export interface TaskInfo {
  pid: number;
  comm: string;
  cpu: number;
  kind: 'thread' | 'hardware';
}

/** A run replayed with call traces and its step trace: what reports and timelines are drawn from. */
export interface CapturedRun {
  outcome: RunOutcome['kind'];
  steps: number;
  /** Virtual time at the end of the run. */
  ns: number;
  tasks: TaskInfo[];
  log: LogLine[];
  reports: KernelReport[];
  trace: TraceStep[];
}

export interface Failure {
  kind: ReportKind;
  signature: string;
  title: string;
  /** Replays the failing schedule: `replay(scenario, token)` or `kemu replay`. */
  token: string;
  /** Preemptions in that schedule (after shrinking, when it ran). */
  preemptions: number;
  /** 1-based number of the schedule that first showed it. */
  firstSchedule: number;
  /** How many schedules showed it. */
  occurrences: number;
  /** The report from the replay, with call traces. */
  report: KernelReport;
  /** The replayed run. */
  run: CapturedRun;
}

export type StopReason = 'exhausted' | 'runs-done' | 'schedule-limit' | 'time-limit' | 'first-failure' | 'interrupted';

export interface ExploreResult {
  strategy: string;
  /** Schedules run to an end (complete, failed or at the step bound). */
  schedules: number;
  /** Runs cut short because the reduction showed them redundant. */
  pruned: number;
  /** Schedules that hit the per-schedule step bound (the space beyond them is unexplored). */
  stepBounded: number;
  /** The whole space (within the strategy's bound) was explored. */
  exhausted: boolean;
  stoppedBy: StopReason;
  failures: Failure[];
  /** Wall-clock time, for people; never part of a verdict. */
  elapsedMs: number;
  /** Most steps in one schedule. */
  maxSteps: number;
  /** PCT only: the probability bound it guarantees. */
  pct?: PctBound;
  /** Lock classes the runs took that lockdep did not validate (novalidate, such as &dev->mutex): the reports say nothing about their order. */
  notValidated: string[];
  /** The default search: what each of its stages covered, in order. */
  coverage?: StageCoverage[];
  /**
   * DPOR with symmetry reduction: the groups of twins (by comm) it treated as
   * interchangeable; each schedule stands for every swap of them.
   */
  twins?: string[][];
}

export interface ExploreProgress {
  schedules: number;
  pruned: number;
  failures: number;
  elapsedMs: number;
}
