/**
 * The cost of exploring a board's boot, per kernel variant: schedules and time
 * to exhaust (or to the first failure), so a change that makes boots explode
 * shows up as a figure.
 */
import { search } from '../src/explore/index.js';
import type { BoardEntry } from '../src/machine/catalog.js';
import builtin from '../catalog/builtin.js';

export interface BoardCostRow {
  board: string;
  variant: string;
  schedules: number;
  pruned: number;
  exhausted: boolean;
  failures: number;
  ms: number;
}

export async function benchBoards(names = ['omap4', 'omap4-dsp', 'exynos', 'msm-like', 'mt8183-like', 'intel-2drhd']): Promise<BoardCostRow[]> {
  const rows: BoardCostRow[] = [];
  for (const board of names.map((n) => builtin.boards?.find((b) => b.name === n)).filter((b): b is BoardEntry => b !== undefined)) {
    for (const variant of board.variants) {
      const t0 = performance.now();
      const result = await search(board.boot(variant));
      rows.push({
        board: board.name, variant, schedules: result.schedules, pruned: result.pruned,
        exhausted: result.exhaustiveStrategy && result.stoppedBy === 'exhausted' && result.stepBounded === 0,
        failures: result.found.length, ms: performance.now() - t0,
      });
    }
  }
  return rows;
}
