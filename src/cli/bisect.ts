/**
 * `kemu bisect <board>`: the board's boot explored on every kernel variant it
 * lists, as a table (variant, outcome, schedules), and for each hang the chain
 * of calls from the driver core to the second device_lock of the same device.
 */
import { bisectBoard, type BisectRow } from '../machine/bisect.js';
import { withPatchedVariants } from '../machine/kernel-variants.js';
import type { BoardEntry } from '../machine/catalog.js';
import { frameFunction } from '../kernel/sched/call-trace.js';
import type { Output } from './output.js';

function bisectJson(board: BoardEntry, rows: readonly BisectRow[]): unknown {
  return {
    board: board.name,
    variants: rows.map((r) => ({
      variant: r.variant, outcome: r.outcome, schedules: r.schedules, exhausted: r.exhausted,
      failure: r.failure ? { kind: r.failure.kind, title: r.failure.title, token: r.failure.token } : null,
      chain: r.chain,
    })),
  };
}

export async function runBisect(out: Output, board: BoardEntry, json: boolean): Promise<number> {
  const rows: BisectRow[] = [];
  for (const variant of withPatchedVariants(board.variants)) {
    out.progress(`bisect ${board.name}: exploring the boot on ${variant}…`);
    rows.push(...(await bisectBoard(board, { variants: [variant] })));
  }
  out.endProgress();
  if (json) {
    out.print(JSON.stringify(bisectJson(board, rows), null, 2));
  } else {
    const c = out.color;
    const paint = (r: BisectRow) => (r.outcome === 'boots' ? c.green(r.outcome) : c.red(r.outcome));
    out.print(out.table(['variant', 'outcome', 'schedules', 'where'], rows.map((r) => [
      r.variant, paint(r), `${r.schedules.toLocaleString('en-US')}${r.exhausted ? '' : ' (not exhausted)'}`,
      r.chain.length > 0 ? `${frameFunction(r.chain[0]!)} → … → ${frameFunction(r.chain[r.chain.length - 1]!)}` : r.failure?.title ?? '',
    ])));
    for (const r of rows.filter((row) => row.chain.length > 0)) {
      out.print();
      out.print(c.bold(`${r.variant}: ${r.failure!.title}`));
      r.chain.forEach((frame, i) => {
        const mark = i === 0 ? '   ← takes the device lock' : i === r.chain.length - 1 ? '   ← takes it again: blocks forever' : '';
        out.print(`  ${'  '.repeat(i)}${frame}${mark}`);
      });
      out.print(c.dim(`  replay: kemu replay ${board.name} --kernel ${r.variant} ${r.failure!.token}`));
    }
  }
  return rows.some((r) => r.outcome !== 'boots') ? 1 : 0;
}
