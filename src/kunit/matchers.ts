/**
 * vitest matchers on exploration results. They match the structured reports
 * (kind, task, lock class, call chain, polled cell), never report text, and a
 * failing expectation prints what a kernel developer needs to act: the
 * kernel-format report, the timeline of the failing schedule, and its replay
 * token.
 *
 * Use `expect(result).toFindHang(...)` to stop the case on a mismatch (ASSERT)
 * or `expect.soft(result)...` to record it and go on (EXPECT).
 */
import { expect } from 'vitest';
import type { ReportKind } from '../kernel/detect/report.js';
import { frameFunction } from '../kernel/sched/call-trace.js';
import type { ExploreResult, Failure } from '../explore/result.js';
import { renderReport } from '../report/kernel-format.js';
import { renderTimeline } from '../report/timeline.js';

export interface FailurePattern {
  /** The task the report is about, by comm. */
  task?: string | RegExp;
  /** Class of the lock the task waits for (`&dev->mutex`). */
  lockClass?: string | RegExp;
  /** Function names that appear, in this order from outermost to innermost, in the task's call trace. */
  chain?: readonly string[];
  /** Name of a cell a spinning task polls (`qi->desc_status[2]`). */
  polls?: string | RegExp;
  /** The report's location (WARN site function, lock classes). */
  location?: string | RegExp;
}

const matches = (value: string | undefined, want: string | RegExp | undefined) =>
  want === undefined || (value !== undefined && (typeof want === 'string' ? value === want : want.test(value)));

/** The functions of a trace from outermost to innermost. */
function outerToInner(trace: readonly string[] | null): string[] {
  return (trace ?? []).map(frameFunction).reverse();
}

function containsInOrder(haystack: readonly string[], chain: readonly string[]): boolean {
  let at = 0;
  for (const fn of haystack) if (fn === chain[at]) at++;
  return at === chain.length;
}

export function failureMatches(failure: Failure, kind: ReportKind | undefined, pattern: FailurePattern = {}): boolean {
  const r = failure.report;
  if (kind !== undefined && r.kind !== kind) return false;
  if (!matches(r.task?.comm, pattern.task)) return false;
  if (!matches(r.task?.waitsFor?.className, pattern.lockClass)) return false;
  if (!matches(r.location, pattern.location)) return false;
  if (pattern.polls !== undefined && !r.task?.polls?.some((p) => matches(p.name, pattern.polls))) return false;
  if (pattern.chain && !containsInOrder(outerToInner(r.task?.callTrace ?? null), pattern.chain)) return false;
  return true;
}

/** Everything a person needs about one failure: the report, the timeline and how to replay it. */
export function describeFailure(failure: Failure): string {
  const parts = [`${failure.title}`, '', renderReport(failure.report)];
  if (failure.run.trace.length > 0) parts.push('', 'timeline of the failing schedule:', renderTimeline(failure.run));
  parts.push('', `replay token: ${failure.token}   (replay(scenario, '${failure.token}') or npx kemu replay <name> ${failure.token})`);
  return parts.join('\n');
}

const summary = (result: ExploreResult) =>
  `${result.schedules} schedules (${result.exhausted ? 'space exhausted' : `not exhausted: ${result.stoppedBy}`})`;

function findKind(kind: ReportKind, label: string) {
  return function (this: { isNot: boolean }, result: ExploreResult, pattern: FailurePattern = {}) {
    const hit = result.failures.find((f) => failureMatches(f, kind, pattern));
    return {
      pass: hit !== undefined,
      message: () => hit
        ? `expected no ${label} matching ${JSON.stringify(pattern)}, but found one:\n\n${describeFailure(hit)}`
        : `expected a ${label} matching ${JSON.stringify(pattern)} in ${summary(result)}; found ${result.failures.length === 0 ? 'no failure at all' : `instead:\n\n${result.failures.map(describeFailure).join('\n\n')}`}`,
    };
  };
}

expect.extend({
  /** No schedule failed. With `.not`, at least one did. */
  toFindNoFailure(result: ExploreResult) {
    return {
      pass: result.failures.length === 0,
      message: () => result.failures.length === 0
        ? `expected a failure, but ${summary(result)} found none`
        : `expected no failure in ${summary(result)}, found ${result.failures.length}:\n\n${result.failures.map(describeFailure).join('\n\n')}`,
    };
  },
  /** The whole space was explored and no schedule failed: e.g. a board that boots cleanly on every interleaving. */
  toBeCleanOnEverySchedule(result: ExploreResult) {
    const pass = result.exhausted && result.failures.length === 0;
    return {
      pass,
      message: () => pass
        ? `expected a failure or an unexplored space, but all ${result.schedules} schedules were clean`
        : result.failures.length > 0
          ? `expected every schedule to be clean, found ${result.failures.length} failure(s):\n\n${result.failures.map(describeFailure).join('\n\n')}`
          : `expected the whole space explored, but ${summary(result)}`,
    };
  },
  toFindHang: findKind('hung-task', 'hung task'),
  toFindSoftLockup: findKind('soft-lockup', 'soft lockup'),
  toFindWarn: findKind('warn', 'WARNING'),
  /** A task oopsed: BUG(), BUG_ON(), or an exception thrown by model code; `location` is the function that did it. */
  toFindOops: findKind('oops', 'oops'),
  toFindLockdepSplat(result: ExploreResult, pattern: FailurePattern = {}) {
    const hit = result.failures.find((f) => (f.kind === 'lockdep-circular' || f.kind === 'lockdep-recursive') && failureMatches(f, undefined, pattern));
    return {
      pass: hit !== undefined,
      message: () => hit ? `expected no lockdep splat, found:\n\n${describeFailure(hit)}` : `expected a lockdep splat in ${summary(result)}; found ${result.failures.map((f) => f.title).join('; ') || 'none'}`,
    };
  },
});

interface KemuMatchers<R = unknown> {
  toFindNoFailure(): R;
  toBeCleanOnEverySchedule(): R;
  toFindHang(pattern?: FailurePattern): R;
  toFindSoftLockup(pattern?: FailurePattern): R;
  toFindWarn(pattern?: FailurePattern): R;
  toFindOops(pattern?: FailurePattern): R;
  toFindLockdepSplat(pattern?: FailurePattern): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends KemuMatchers<T> {}
}
