/**
 * The built-in catalog: the boards and scenarios the kemu command knows, like a
 * defconfig selecting what is built in. The core (src/) never imports drivers
 * or boards; this file, outside it, composes them. A user's own catalog is
 * assembled the same way and passed to `main()` from src/cli/main.ts; bin/kemu.ts
 * is the command built from this one.
 */
import type { Catalog } from '../src/machine/catalog.js';
import type { Scenario } from '../src/explore/run-schedule.js';
import { resolveTarget } from '../src/cli/targets.js';
import { EXAMPLE_SCENARIOS } from '../src/examples/catalog.js';
import { dra7Board, omap4Board, omap4DspBoard } from '../boards/omap4.js';
import { exynosBoard } from '../boards/exynos.js';
import { msmLikeBoard } from '../boards/msm-like.js';
import { mt8183LikeBoard } from '../boards/mt8183-like.js';
import { exynosAsyncFimdBoard, exynosAsyncSysmmusBoard } from '../boards/exynos-async.js';
import { intelBoard } from '../boards/intel.js';
import { qiZeroCountEntry } from '../drivers/iommu/intel/scenarios.js';
import { BUILTIN_DEMO } from './demo.js';


export const builtinCatalog: Catalog = {
  boards: [omap4Board, dra7Board, omap4DspBoard, exynosBoard, msmLikeBoard, mt8183LikeBoard, intelBoard, exynosAsyncSysmmusBoard, exynosAsyncFimdBoard],
  scenarios: [qiZeroCountEntry, ...EXAMPLE_SCENARIOS],
  demo: BUILTIN_DEMO,
  workerSource: { module: import.meta.url, factory: 'builtinScenario' },
};

/** The scenario of a built-in board or scenario, for worker threads (see Catalog.workerSource). */
export function builtinScenario(name: string, variant: string | undefined): Scenario {
  return resolveTarget(builtinCatalog, name, variant).scenario;
}
