/**
 * `kemu bisect <board>`: the board's boot explored on every kernel variant it
 * lists, as a table (variant, outcome, schedules), and for each hang the chain
 * of calls from the driver core to the second device_lock of the same device.
 */
import { bisectBoard, type BisectRow } from '../machine/bisect.js';
import type { BoardEntry } from '../machine/catalog.js';
import { frameFunction } from '../kernel/sched/call-trace.js';
import type { Output } from './output.js';
import { EXIT_FAILURE_FOUND, EXIT_INTERRUPTED, EXIT_OK } from './exit-codes.js';

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

/** The chain drawn as a call tree, outermost first, indented as far as `width` allows; marks go on their own line when they do not fit. */
function chainLines(chain: readonly string[], width: number | undefined): string[] {
  const longest = Math.max(...chain.map((f) => f.length));
  const step = width === undefined ? 2 : Math.max(0, Math.min(2, Math.floor((width - 2 - longest) / Math.max(1, chain.length - 1))));
  return chain.flatMap((frame, i) => {
    const indent = `  ${' '.repeat(step * i)}`;
    const mark = i === 0 ? '← takes the device lock' : i === chain.length - 1 ? '← takes it again: blocks forever' : '';
    const line = `${indent}${frame}`;
    if (!mark) return [line];
    return width === undefined || line.length + 3 + mark.length <= width ? [`${line}   ${mark}`] : [line, `${indent}${mark}`];
  });
}

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

/** Explores the board on each of its variants and prints the table; an interrupt (`signal`) ends it early with the rows so far. */
export async function runBisect(out: Output, board: BoardEntry, json: boolean, signal?: AbortSignal): Promise<number> {
  const rows: BisectRow[] = [];
  for (const variant of board.variants) {
    if (signal?.aborted) break;
    out.progress(`bisect ${board.name}: exploring the boot on ${variant}…`);
    rows.push(...(await bisectBoard(board, { variants: [variant], signal })));
  }
  out.endProgress();
  const left = board.variants.slice(rows.length);
  if (json) {
    out.print(JSON.stringify(bisectJson(board, rows), null, 2));
  } else {
    const c = out.color;
    const paint = (r: BisectRow) => (r.outcome === 'boots' ? c.green(r.outcome) : c.red(r.outcome));
    const where = whereColumn(rows.map((r) => r.chain));
    out.print(out.table(['variant', 'outcome', 'schedules', 'where'], rows.map((r, i) => [
      r.variant, paint(r), `${r.schedules.toLocaleString('en-US')}${r.exhausted ? '' : ' (not exhausted)'}`,
      where[i] || (r.failure?.title ?? ''),
    ])));
    for (const r of rows.filter((row) => row.chain.length > 0)) {
      out.print();
      out.print(c.bold(`${r.variant}: ${r.failure!.title}`));
      for (const line of chainLines(r.chain, out.width)) out.print(line);
      out.print(c.dim(`  replay: npx kemu replay ${board.name} --kernel ${r.variant} ${r.failure!.token}`));
    }
  }
  if (signal?.aborted) {
    out.error(out.color.yellow(`interrupted: ${rows.at(-1)?.exhausted === false ? `${rows.at(-1)!.variant} was explored only in part; ` : ''}` +
      `${left.length > 0 ? `not explored: ${left.join(', ')}` : 'every variant was reached'}.`));
    return EXIT_INTERRUPTED;
  }
  return rows.some((r) => r.outcome !== 'boots') ? EXIT_FAILURE_FOUND : EXIT_OK;
}
