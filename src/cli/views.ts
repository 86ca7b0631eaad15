/**
 * The views a command draws of one run besides its text output: `--trace`
 * (Chrome/Perfetto JSON) and `--html` (a timeline page). An exploration may
 * find several failures; `--failure N` chooses which one is drawn (default:
 * the first that kills a task, such as the deadlock rather than the lockdep
 * splat that came before it).
 */
import { KemuError } from '../kernel/errors.js';
import type { CapturedRun, Failure } from '../explore/result.js';
import { toChromeTrace } from '../report/chrome-trace.js';
import { renderHtmlTimeline } from '../report/html-timeline.js';
import { checkWritable, writeOutputFile } from './output-files.js';
import type { Output } from './output.js';
import type { Target } from './targets.js';

export interface ViewFlags {
  trace?: string;
  html?: string;
  /** 1-based number of the failure to draw, as printed `✗ [N]`. */
  failure?: number;
}

/** Checks the view paths before any work is done. */
export function checkViews(flags: ViewFlags): void {
  if (flags.trace) checkWritable(flags.trace, '--trace');
  if (flags.html) checkWritable(flags.html, '--html');
}

/** The failure `--failure N` names, or by default the first fatal one; null when there is none to draw. */
export function chosenFailure(failures: readonly Failure[], n: number | undefined): { failure: Failure; number: number } | null {
  if (n !== undefined) {
    if (n < 1 || n > failures.length) {
      throw new KemuError('bad-usage', `--failure ${n}: ${failures.length === 0 ? 'no failure was found' : `the failures are numbered 1 to ${failures.length}`}`);
    }
    return { failure: failures[n - 1]!, number: n };
  }
  if (failures.length === 0) return null;
  const index = Math.max(0, failures.findIndex((f) => f.report.fatal));
  return { failure: failures[index]!, number: index + 1 };
}

/** Writes the requested views of `run` (null: nothing to draw, which is said). */
export function writeViews(out: Output, flags: ViewFlags, target: Target, run: CapturedRun | null, title: string): void {
  for (const [path, option] of [[flags.trace, '--trace'], [flags.html, '--html']] as const) {
    if (!path) continue;
    if (!run) {
      out.print(out.color.dim(`no failing run to draw; ${path} not written`));
      continue;
    }
    const drawing = { release: target.variant, names: target.taskNames };
    if (option === '--trace') {
      writeOutputFile(path, option, JSON.stringify(toChromeTrace(run, title, drawing)));
      out.print(out.color.dim(`trace of ${title} written to ${path} (open it in ui.perfetto.dev or chrome://tracing)`));
    } else {
      writeOutputFile(path, option, renderHtmlTimeline(run, title, drawing));
      out.print(out.color.dim(`timeline page of ${title} written to ${path}`));
    }
  }
}
