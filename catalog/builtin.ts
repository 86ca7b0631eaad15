/**
 * The built-in catalog, like a defconfig selecting what is built in: the
 * boards, scenarios, drivers and firmware loaders the kemu command knows. It
 * is a plug-in like any other (bin/kemu.ts loads it first, then the user's),
 * so the core (src/) never imports a driver or a board.
 */
import { definePlugin } from '../src/machine/plugin.js';
import { EXAMPLE_SCENARIOS } from '../src/examples/catalog.js';
import { dra7Board, omap4Board, omap4DspBoard } from '../boards/omap4.js';
import { exynosBoard } from '../boards/exynos.js';
import { msmLikeBoard } from '../boards/msm-like.js';
import { mt8183LikeBoard } from '../boards/mt8183-like.js';
import { exynosAsyncFimdBoard, exynosAsyncSysmmusBoard } from '../boards/exynos-async.js';
import { intelBoard } from '../boards/intel.js';
import { dtbLoader, dtsLoader } from '../boards/device-tree-board.js';
import { dmarLoader } from '../boards/dmar-board.js';
import { qiZeroCountEntry } from '../drivers/iommu/intel/scenarios.js';
import { BUILTIN_DRIVERS } from './drivers.js';
import { BUILTIN_DEMO } from './demo.js';

export default definePlugin({
  name: 'kemu',
  boards: [omap4Board, dra7Board, omap4DspBoard, exynosBoard, msmLikeBoard, mt8183LikeBoard, intelBoard, exynosAsyncSysmmusBoard, exynosAsyncFimdBoard],
  scenarios: [qiZeroCountEntry, ...EXAMPLE_SCENARIOS],
  drivers: BUILTIN_DRIVERS,
  firmware: [dtbLoader, dtsLoader, dmarLoader],
  demo: BUILTIN_DEMO,
});
