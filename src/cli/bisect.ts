/**
 * `kemu bisect <board>`: the board's boot explored on every kernel variant it
 * lists, as a table (variant, verdict, schedules, where): the outcome with
 * the boot's health (`boots, 2 probes failed, 3 deferred`), and for each hang
 * the chain of calls from the driver core to the second device_lock of the
 * same device.
 */
import { bisectBoard, type BisectRow } from '../machine/bisect.js';
import type { BoardEntry } from '../machine/catalog.js';
import { frameFunction } from '../kernel/sched/call-trace.js';
import { renderReport } from '../report/kernel-format.js';
import type { Output } from './output.js';
import { notValidatedNote } from './present.js';
import { runShapeFlags, type RunShape } from './run-shape.js';

function bisectJson(board: BoardEntry, rows: readonly BisectRow[]): unknown {
  return {
    board: board.name,
    variants: rows.map((r) => ({
      variant: r.variant, outcome: r.outcome, verdict: r.verdict, health: r.health, notValidated: r.notValidated,
      schedules: r.schedules, exhausted: r.exhausted,
      failure: r.failure ? { kind: r.failure.kind, title: r.failure.title, token: r.failure.token } : null,
      chain: r.chain,
    })),
  };
}

/**
 * Which frames of a hang's chain took the locks the task holds, as lock
 * names by chain index: the k-th lock taken in a function is matched to the
 * k-th frame of that function from the outside, as the locks nest.
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
    if (at !== undefined) marks.set(at, held.name);
  }
  return marks;
}

/** A row is healthy when it boots and every probe bound. */
const healthy = (r: BisectRow) => r.outcome === 'boots' && r.failures.length === 0;

export async function runBisect(out: Output, board: BoardEntry, json: boolean, shape: RunShape = { lockdep: {} }): Promise<number> {
  const rows: BisectRow[] = [];
  for (const variant of board.variants) {
    out.progress(`bisect ${board.name}: exploring the boot on ${variant}…`);
    rows.push(...(await bisectBoard(board, { variants: [variant], lockdep: shape.lockdep, maxSteps: shape.maxSteps })));
  }
  out.endProgress();
  if (json) {
    out.print(JSON.stringify(bisectJson(board, rows), null, 2));
  } else {
    const c = out.color;
    const paint = (r: BisectRow) => (healthy(r) ? c.green(r.verdict) : r.outcome === 'boots' ? c.yellow(r.verdict) : c.red(r.verdict));
    out.print(out.table(['variant', 'verdict', 'schedules', 'where'], rows.map((r) => [
      r.variant, paint(r), `${r.schedules.toLocaleString('en-US')}${r.exhausted ? '' : ' (not exhausted)'}`,
      r.chain.length > 0 ? `${frameFunction(r.chain[0]!)} → … → ${frameFunction(r.chain[r.chain.length - 1]!)}` : r.failure?.title ?? '',
    ])));
    // A failure that is not a hang (a KASAN report, an oops, a WARN) is shown as the kernel prints it.
    for (const r of rows.filter((row) => row.failure && row.chain.length === 0)) {
      out.print();
      out.print(c.bold(`${r.variant}: ${r.failure!.title}`));
      out.print(renderReport(r.failure!.report, { release: r.variant }));
      const others = r.failures.length - 1;
      if (others > 0) out.print(c.dim(`  and ${others} other failure${others === 1 ? '' : 's'}: ${r.failures.filter((f) => f !== r.failure).map((f) => f.title).join('; ')}`));
      out.print(c.dim(`  replay: kemu replay ${board.name} --kernel ${r.variant} ${r.failure!.token}`));
    }
    for (const r of rows.filter((row) => row.chain.length > 0)) {
      out.print();
      out.print(c.bold(`${r.variant}: ${r.failure!.title}`));
      const marks = lockMarks(r);
      r.chain.forEach((frame, i) => {
        const mark = i === r.chain.length - 1 ? `   ← ${r.failure!.report.task!.waitsFor!.name} again: blocks forever` : marks.get(i);
        out.print(`  ${frame}${mark ? c.yellow(mark.startsWith('   ←') ? mark : `   ← takes ${mark}`) : ''}`);
      });
      const replay = ['kemu replay', board.name, `--kernel ${r.variant}`, ...runShapeFlags(shape), r.failure!.token].join(' ');
      out.print(c.dim(`  replay: ${replay}`));
    }
    const note = notValidatedNote([...new Set(rows.flatMap((r) => r.notValidated))]);
    if (note) {
      out.print();
      out.print(c.dim(note));
    }
  }
  return rows.every(healthy) ? 0 : 1;
}
