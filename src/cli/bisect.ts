/**
 * `kemu bisect <board>`: the board's boot explored on every kernel variant it
 * lists, as a table (variant, verdict, schedules, where): the outcome with
 * the boot's health (`boots, 2 probes failed, 3 deferred`), and for each hang
 * the chain of calls from the driver core to the second device_lock of the
 * same device.
 */
import { bisectBoard, type BisectRow } from '../machine/bisect.js';
import { withPatchedVariants } from '../machine/kernel-variants.js';
import type { BoardEntry } from '../machine/catalog.js';
import { frameFunction } from '../kernel/sched/call-trace.js';
import { renderReport } from '../report/kernel-format.js';
import type { Output } from './output.js';
import { notValidatedNote } from './present.js';
import { requestShape, targetCommand, type TargetRequest } from './targets.js';
import { EXIT_FAILURE_FOUND, EXIT_INTERRUPTED, EXIT_OK } from './exit-codes.js';
import type { FoundFailure } from '../explore/explore.js';
import type { RunWatch } from './watch.js';
import { grouped } from '../kernel/grouped.js';

/**
 * The `where` of each row: the chain's first and last functions, and the
 * frame that tells it apart from the other chains of the table, i.e. the
 * caller just before the tail all chains share (`probe_iommu_group` for the
 * bus walk at registration, `iommu_probe_device` for the OF replay).
 */
function whereColumn(chains: readonly string[][]): string[] {
  const fns = chains.map((chain) => chain.map(frameFunction));
  const distinct = fns.filter((f) => f.length > 0);
  let shared = 0;
  const agree = (k: number) => distinct.every((f) => f.length > k && f[f.length - 1 - k] === distinct[0]![distinct[0]!.length - 1 - k]);
  while (distinct.length > 0 && shared < Math.min(...distinct.map((f) => f.length)) - 1 && agree(shared)) shared++;
  // With one kind of chain there is nothing to tell apart: keep its last two calls.
  if (new Set(distinct.map((f) => f.join(' '))).size <= 1) shared = Math.min(shared, 1);
  return fns.map((f) => {
    if (f.length === 0) return '';
    const tail = f.slice(f.length - shared);
    const telling = f.length - shared - 1;
    const head = telling > 0 ? [f[0]!, ...(telling > 1 ? ['…'] : []), f[telling]!] : [f[0]!];
    return [...head, ...tail].join(' → ');
  });
}

/**
 * The chain drawn as a call tree, outermost first, indented as far as `width`
 * allows, with `marks` (by frame index) beside the frames; a mark goes on its
 * own line when it does not fit.
 */
function chainLines(chain: readonly string[], marks: ReadonlyMap<number, string>, width: number | undefined): string[] {
  const longest = Math.max(...chain.map((f) => f.length));
  const step = width === undefined ? 2 : Math.max(0, Math.min(2, Math.floor((width - 2 - longest) / Math.max(1, chain.length - 1))));
  return chain.flatMap((frame, i) => {
    const indent = `  ${' '.repeat(step * i)}`;
    const mark = marks.get(i) ?? '';
    const line = `${indent}${frame}`;
    if (!mark) return [line];
    return width === undefined || line.length + 3 + mark.length <= width ? [`${line}   ${mark}`] : [line, `${indent}${mark}`];
  });
}

function bisectJson(board: BoardEntry, rows: readonly BisectRow[]): unknown {
  return {
    board: board.name,
    // null: every schedule (up to the board's schedule limit, which `exhausted` reports).
    preemptionBound: preemptionBound(board),
    variants: rows.map((r) => ({
      variant: r.variant, outcome: r.outcome, verdict: r.verdict, health: r.health, notValidated: r.notValidated,
      schedules: r.schedules, exhausted: r.exhausted,
      failure: r.failure ? { kind: r.failure.kind, title: r.failure.title, token: r.failure.token } : null,
      chain: r.chain,
    })),
  };
}

/**
 * The marks beside a hang's chain: which frames took the locks the task
 * holds (the k-th lock taken in a function is matched to the k-th frame of
 * that function from the outside, as the locks nest), and the frame that
 * blocks on one of them again.
 */
function lockMarks(r: BisectRow): Map<number, string> {
  const task = r.failure!.report.task!;
  const fns = r.chain.map(frameFunction);
  const marks = new Map<number, string>();
  const seen = new Map<string, number>();
  for (const held of task.heldLocks) {
    if (!held.acquiredIn) continue;
    const nth = seen.get(held.acquiredIn) ?? 0;
    seen.set(held.acquiredIn, nth + 1);
    const at = fns.map((fn, i) => (fn === held.acquiredIn ? i : -1)).filter((i) => i >= 0)[nth];
    if (at !== undefined) marks.set(at, `← takes ${held.name}`);
  }
  marks.set(r.chain.length - 1, `← ${r.failure!.report.task!.waitsFor!.name} again: blocks forever`);
  return marks;
}

/** The command that replays a token of `variant`: the board as `request` named it, with every option that shaped its runs. */
function replayCommand(board: BoardEntry, request: TargetRequest, variant: string, token: string): string {
  return `${targetCommand('replay', request, board.name, variant)} ${token}`;
}

/** The command that replays a row's failure. */
const replayLine = (board: BoardEntry, request: TargetRequest, r: BisectRow): string => replayCommand(board, request, r.variant, r.failure!.token);

/** The preemption bound of the board's own search, or null when it is not bounded. */
function preemptionBound(board: BoardEntry): number | null {
  const strategy = board.strategy;
  return typeof strategy === 'object' && strategy.kind === 'bounded' ? strategy.preemptions : null;
}

/** A row is healthy when it boots and every probe bound. */
const healthy = (r: BisectRow) => r.outcome === 'boots' && r.failures.length === 0;

/**
 * Explores `board` (what `request` resolved to, shaped by its run shape) on
 * each of its variants and the plug-in variants patching them, each watched
 * by `watch`, and prints the table; an interrupt (`signal`) ends it early
 * with the rows so far.
 */
export async function runBisect(out: Output, board: BoardEntry, request: TargetRequest, json: boolean, watch: RunWatch, signal?: AbortSignal): Promise<number> {
  const shape = requestShape(request);
  const rows: BisectRow[] = [];
  const variants = withPatchedVariants(board.variants);
  for (const variant of variants) {
    if (signal?.aborted) break;
    out.progress(`bisect ${board.name}: exploring the boot on ${variant}…`);
    watch.runs({ ...request, kernel: variant });
    const onFailure = (f: FoundFailure) => watch.found(`${variant}: ${f.signature}`, replayCommand(board, request, variant, f.token));
    rows.push(...(await bisectBoard(board, { variants: [variant], lockdep: shape.lockdep, maxSteps: shape.maxSteps, signal, onFailure })));
  }
  out.endProgress();
  const left = variants.slice(rows.length);
  if (json) {
    out.print(JSON.stringify(bisectJson(board, rows), null, 2));
  } else {
    const c = out.color;
    const paint = (r: BisectRow) => (healthy(r) ? c.green(r.verdict) : r.outcome === 'boots' ? c.yellow(r.verdict) : c.red(r.verdict));
    const where = whereColumn(rows.map((r) => r.chain));
    out.print(out.table(['variant', 'verdict', 'schedules', 'where'], rows.map((r, i) => [
      r.variant, paint(r), `${grouped(r.schedules)}${r.exhausted ? '' : ' (not exhausted)'}`,
      where[i] || (r.failure?.title ?? ''),
    ])));
    // A failure that is not a hang (a KASAN report, an oops, a WARN) is shown as the kernel prints it.
    for (const r of rows.filter((row) => row.failure && row.chain.length === 0)) {
      out.print();
      out.print(c.bold(`${r.variant}: ${r.failure!.title}`));
      out.print(renderReport(r.failure!.report, { release: r.variant }));
      const others = r.failures.length - 1;
      if (others > 0) out.print(c.dim(`  and ${others} other failure${others === 1 ? '' : 's'}: ${r.failures.filter((f) => f !== r.failure).map((f) => f.title).join('; ')}`));
      out.print(c.dim(`  replay: ${replayLine(board, request, r)}`));
    }
    for (const r of rows.filter((row) => row.chain.length > 0)) {
      out.print();
      out.print(c.bold(`${r.variant}: ${r.failure!.title}`));
      for (const line of chainLines(r.chain, lockMarks(r), out.width)) out.print(line.includes('←') ? line.replace(/←.*/, (m) => c.yellow(m)) : line);
      out.print(c.dim(`  replay: ${replayLine(board, request, r)}`));
    }
    const bound = preemptionBound(board);
    if (bound !== null) {
      out.print(c.dim(`Each variant was explored in every schedule with at most ${bound} preemption${bound === 1 ? '' : 's'} (the board's search): ` +
        'a failure that needs more is not looked for.'));
    }
    const note = notValidatedNote([...new Set(rows.flatMap((r) => r.notValidated))]);
    if (note) {
      out.print();
      out.print(c.dim(note));
    }
  }
  if (signal?.aborted) {
    out.error(out.color.yellow(`interrupted: ${rows.at(-1)?.exhausted === false ? `${rows.at(-1)!.variant} was explored only in part; ` : ''}` +
      `${left.length > 0 ? `not explored: ${left.join(', ')}` : 'every variant was reached'}.`));
    return EXIT_INTERRUPTED;
  }
  return rows.every(healthy) ? EXIT_OK : EXIT_FAILURE_FOUND;
}
