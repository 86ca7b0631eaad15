/**
 * How the kemu command presents runs and explorations to a person, and as
 * JSON to a program.
 */
import type { CapturedRun, ExploreResult, Failure } from '../explore/result.js';
import type { ReportKind } from '../kernel/detect/report.js';
import { renderDmesg } from '../report/dmesg.js';
import { renderReport } from '../report/kernel-format.js';
import { renderTimeline } from '../report/timeline.js';
import type { Output } from './output.js';
import type { StageCoverage } from '../explore/staged-search.js';
import { CALIBRATION_RUNS } from '../explore/pct.js';
import type { Target } from './targets.js';
import { grouped } from '../kernel/grouped.js';

const plural = (n: number, word: string) => `${grouped(n)} ${word}${n === 1 ? '' : 's'}`;

/** What a schedule that shows a failure of this kind does: one schedule [singular], many [plural]. */
const DOES: Record<ReportKind, [string, string]> = {
  'hung-task': ['hangs', 'hang'],
  'soft-lockup': ['locks up', 'lock up'],
  'lockdep-recursive': ['trips lockdep', 'trip lockdep'],
  'lockdep-circular': ['trips lockdep', 'trip lockdep'],
  'sleep-in-atomic': ['sleeps in atomic context', 'sleep in atomic context'],
  warn: ['warns', 'warn'],
  oops: ['oopses', 'oops'],
  kasan: ['touches freed memory', 'touch freed memory'],
  'probe-failed': ['fails a probe', 'fail a probe'],
  'deferred-probe-pending': ['leaves a probe deferred', 'leave a probe deferred'],
  invariant: ['breaks an invariant', 'break an invariant'],
};

/** `first seen in schedule 4; 76 of 232 schedules lock up`: how common a failure is in what was explored. */
function occurrenceLine(failure: Failure, schedules: number): string {
  const does = DOES[failure.kind][failure.occurrences === 1 ? 0 : 1];
  return `first seen in schedule ${grouped(failure.firstSchedule)}; ${grouped(failure.occurrences)} of ${plural(schedules, 'schedule')} ${does}`;
}

export interface PresentOptions {
  timeline: boolean;
  /** The terminal's columns, which timelines fit (undefined: not a terminal). */
  width?: number;
  /** Timeline rows (see TimelineOptions.detail). */
  detail?: 'story' | 'ops';
}

/** Whether the search reached its end, and if not why not. */
function endText(result: ExploreResult): string {
  if (result.exhausted) return 'space exhausted';
  if (result.stoppedBy === 'exhausted' && result.stepBounded > 0) return `NOT exhausted: ${plural(result.stepBounded, 'schedule')} hit the step bound`;
  if (result.stoppedBy === 'runs-done') return 'not an exhaustive search (the runs asked for are done)';
  return `NOT exhausted (stopped: ${result.stoppedBy.replace('-', ' ')})`;
}

/**
 * What the default search covered, stage by stage: `≤ 0 preemptions: 12,
 * ≤ 1: 340, ≤ 2: 2,000 (its budget; not all), then 2,116 classes of every
 * schedule (DPOR)`.
 */
export function coverageText(coverage: readonly StageCoverage[]): string {
  const bounded = coverage.slice(0, -1).map((c) => `${c.what.replace('every schedule with ', '')}: ${grouped(c.schedules)}${c.complete ? '' : ' (its budget; not all)'}`);
  const dpor = coverage[coverage.length - 1]!;
  const classes = `${grouped(dpor.schedules)} class${dpor.schedules === 1 ? '' : 'es'} of every schedule (DPOR)${dpor.complete ? '' : ', not all'}`;
  return bounded.length > 0 ? `${bounded.join(', ')}, then ${classes}` : classes;
}

export function summaryLine(result: ExploreResult): string {
  const pruned = result.pruned > 0 ? ` (+${grouped(result.pruned)} cut short as redundant)` : '';
  const found = result.failures.length === 0 ? 'no failure' : plural(result.failures.length, 'failure');
  const what = result.coverage ? `${coverageText(result.coverage)}${pruned}` : `${plural(result.schedules, 'schedule')}${pruned}`;
  return `${result.strategy}: ${what}, ${endText(result)}, ${found} (${(result.elapsedMs / 1000).toFixed(2)} s)`;
}

export function presentFailure(out: Output, target: Target, failure: Failure, index: number, schedules: number, options: PresentOptions): void {
  const c = out.color;
  out.print(c.bold(c.red(`✗ [${index + 1}] ${failure.title}`)));
  out.print(c.dim(`  ${occurrenceLine(failure, schedules)}; this one has ${plural(failure.preemptions, 'preemption')}`));
  out.print();
  out.print(renderReport(failure.report, { release: target.variant }));
  if (options.timeline && failure.run.trace.length > 0) {
    out.print();
    out.print(c.bold('Timeline of the failing schedule:'));
    out.print(renderTimeline(failure.run, { width: options.width, names: target.taskNames, detail: options.detail }));
  }
  out.print();
  out.print(`Replay: ${c.cyan(target.replayCommand(failure.token))}`);
  out.print();
}

/** The note a result ends with when its runs took lock classes lockdep did not validate. */
export function notValidatedNote(notValidated: readonly string[]): string | null {
  if (notValidated.length === 0) return null;
  return `kemu: ${notValidated.join(', ')} taken and not validated by lockdep (novalidate, as in the kernel); ` +
    '--validate-device-mutex validates device mutexes';
}

/** The note a result ends with when symmetry reduction took twins as interchangeable. */
export function twinsNote(twins: readonly string[][]): string | null {
  if (twins.length === 0) return null;
  const groups = twins.map((g) => `${g.slice(0, -1).join(', ')} and ${g[g.length - 1]}`).join('; ');
  return `kemu: ${groups} run the same code on the same data (twins): each schedule stands for every swap of them; ` +
    '--no-symmetry explores the swaps too';
}

export function presentExploration(out: Output, target: Target, result: ExploreResult, options: PresentOptions): void {
  const c = out.color;
  result.failures.forEach((f, i) => presentFailure(out, target, f, i, result.schedules, options));
  const note = notValidatedNote(result.notValidated);
  if (note) out.print(c.dim(note));
  const twins = twinsNote(result.twins ?? []);
  if (twins) out.print(c.dim(twins));
  if (result.pct) {
    const p = result.pct;
    out.print(c.dim(`PCT d=${p.depth}: n=${p.tasks} tasks, k=${p.steps} steps (twice the longest of ${CALIBRATION_RUNS} random runs); ` +
      `each run finds a given depth-${p.depth} bug with probability >= 1/(n*k^${p.depth - 1}) = ${p.perRun.toExponential(2)}; ` +
      `the ${grouped(p.runs)} runs of at most k steps together >= ${(p.overall * 100).toFixed(2)} %` +
      (p.longer > 0 ? `; ${grouped(p.longer)} longer runs are not counted (bugs past step k have no bound)` : '')));
  }
  if (result.stoppedBy === 'interrupted') {
    out.print(c.yellow(`Interrupted after ${plural(result.schedules, 'schedule')}: a partial result; ${result.failures.length === 0 ? '"no failure" proves nothing' : 'the space was not exhausted'}.`));
  }
  const limit = LIMIT_FLAGS[result.stoppedBy];
  if (limit) {
    out.print(c.yellow(`A limit (${limit}) ended the search after ${plural(result.schedules, 'schedule')}, not exhaustion: ` +
      `${result.failures.length === 0 ? '"no failure" covers only the schedules run' : 'the schedules not run may fail in other ways'}.`));
  }
  const line = `${target.label} — ${summaryLine(result)}`;
  if (result.failures.length > 0 || result.stoppedBy === 'interrupted') out.print(c.red(`✗ ${line}`));
  else out.print(limit ? c.yellow(`! ${line}`) : c.green(`✓ ${line}`));
}

/** The option behind each limit that can end a search before it is exhausted. */
const LIMIT_FLAGS: Partial<Record<ExploreResult['stoppedBy'], string>> = { 'schedule-limit': '--max-schedules', 'time-limit': '--time-limit' };

export function presentRun(out: Output, target: Target, run: CapturedRun, options: PresentOptions): void {
  out.print(renderDmesg(run, { release: target.variant }));
  if (options.timeline) {
    out.print();
    out.print(renderTimeline(run, { width: options.width, names: target.taskNames, detail: options.detail }));
  }
}

/** The JSON form of one run (a replay or a boot): what ran, the token that replays it, and the run itself. */
export function runJson(target: Target, run: CapturedRun, token: string): unknown {
  return { target: targetJson(target), token, replay: target.replayCommand(token), ...run };
}

/** What ran, as JSON: the target, its variant and the scenario parameters given. */
function targetJson(target: Target): unknown {
  return { kind: target.kind, name: target.name, variant: target.variant, ...(target.request.params ? { params: target.request.params } : {}) };
}

/** The JSON form of an exploration: data first, with the kernel-format text of each report alongside. */
export function explorationJson(target: Target, result: ExploreResult): unknown {
  return {
    target: targetJson(target),
    strategy: result.strategy, schedules: result.schedules, pruned: result.pruned, stepBounded: result.stepBounded,
    exhausted: result.exhausted, stoppedBy: result.stoppedBy, elapsedMs: Math.round(result.elapsedMs), pct: result.pct,
    lockdep: { notValidated: result.notValidated },
    failures: result.failures.map((f) => ({
      kind: f.kind, title: f.title, signature: f.signature, token: f.token, preemptions: f.preemptions,
      firstSchedule: f.firstSchedule, occurrences: f.occurrences, replay: target.replayCommand(f.token),
      report: f.report, text: renderReport(f.report, { release: target.variant }),
    })),
  };
}
