/**
 * The cost of exploring a board's boot, per kernel variant: schedules and time
 * to exhaust (or to the first failure), so a change that makes boots explode
 * shows up as a figure.
 */
import { search } from '../src/explore/index.js';
import { assembleCatalog } from '../src/machine/plugin.js';
import builtin from '../catalog/builtin.js';

const BUILTIN = new URL('../catalog/builtin.js', import.meta.url).href;

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
  const catalog = assembleCatalog([{ source: BUILTIN, plugin: builtin }]);
  for (const name of names) {
    const board = await catalog.boards.find((b) => b.name === name)?.load();
    if (!board) throw new Error(`the built-in catalog has no board ${name}`);
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
