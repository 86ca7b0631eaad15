/**
 * The built-in catalog, like a defconfig selecting what is built in: the
 * boards, scenarios, drivers and firmware loaders the kemu command knows. It
 * is a plug-in like any other (bin/kemu.ts loads it first, then the user's),
 * so the core (src/) never imports a driver or a board.
 *
 * Every entry is named here and imported when a command needs it, as
 * modules.alias names the modules request_module() loads: `kemu run
 * qi-zero-count` loads the VT-d model and none of the boards, drivers or
 * firmware readers (test/cli/builtin-catalog.test.ts checks that each name
 * loads the entry it names, and that no entry of a module is left unnamed).
 */
import { definePlugin } from '../src/machine/plugin.js';
import type { DriverEntry, FirmwareKind, FirmwareLoader, LazyEntry, ScenarioEntry } from '../src/machine/catalog.js';
import { BUILTIN_DEMO } from './demo.js';

/** Entries of one module (`load()` resolves to its list), each named here and loaded with the module when first needed. */
export function entriesOf<T extends { name: string }>(names: readonly string[], load: () => Promise<readonly T[]>): LazyEntry<T>[] {
  return names.map((name) => ({ name, load: async () => (await load()).find((e) => e.name === name) as T }));
}

/** A firmware loader whose reader (`load()`) is imported on the first file of its kind. */
function lazyLoader(kind: FirmwareKind, load: () => Promise<FirmwareLoader>): FirmwareLoader {
  return { kind, board: async (path, drivers) => (await load()).board(path, drivers) };
}

/** The classic cases of src/examples (`kemu run abba`). */
export const EXAMPLES = entriesOf<ScenarioEntry>(
  ['abba', 'abba-sequenced', 'lost-update', 'locked-update', 'peterson', 'peterson-broken', 'spin-forever', 'device-abba-sequenced', 'device-nesting', 'three-writers'],
  async () => (await import('../src/examples/catalog.js')).EXAMPLE_SCENARIOS,
);

/** The drivers a device tree can bind (catalog/drivers.ts), in link order. */
export const DRIVERS = entriesOf<DriverEntry>(
  ['omap-iommu', 'exynos-sysmmu', 'mtk-iommu', 'mock-iommu', 'exynos-drm', 'adreno', 'mtk-vcodec-dec', 'omap-rproc', 'mtk-smi'],
  async () => (await import('./drivers.js')).BUILTIN_DRIVERS,
);

export default definePlugin({
  name: 'kemu',
  boards: [
    { name: 'omap4', load: async () => (await import('../boards/omap4.js')).omap4Board },
    { name: 'dra7', load: async () => (await import('../boards/omap4.js')).dra7Board },
    { name: 'omap4-dsp', load: async () => (await import('../boards/omap4.js')).omap4DspBoard },
    { name: 'exynos', load: async () => (await import('../boards/exynos.js')).exynosBoard },
    { name: 'msm-like', load: async () => (await import('../boards/msm-like.js')).msmLikeBoard },
    { name: 'mt8183-like', load: async () => (await import('../boards/mt8183-like.js')).mt8183LikeBoard },
    { name: 'intel-2drhd', load: async () => (await import('../boards/intel.js')).intelBoard },
    { name: 'exynos-async-sysmmus', load: async () => (await import('../boards/exynos-async.js')).exynosAsyncSysmmusBoard },
    { name: 'exynos-async-fimd', load: async () => (await import('../boards/exynos-async.js')).exynosAsyncFimdBoard },
    { name: 'exynos-async-dma', load: async () => (await import('../boards/exynos-async.js')).exynosAsyncDmaBoard },
    { name: 'exynos-async-mfc', load: async () => (await import('../boards/exynos-async.js')).exynosAsyncMfcBoard },
  ],
  scenarios: [
    { name: 'qi-zero-count', load: async () => (await import('../drivers/iommu/intel/scenarios.js')).qiZeroCountEntry },
    ...EXAMPLES,
  ],
  drivers: DRIVERS,
  firmware: [
    lazyLoader('dtb', async () => (await import('../boards/device-tree-board.js')).dtbLoader),
    lazyLoader('dts', async () => (await import('../boards/device-tree-board.js')).dtsLoader),
    lazyLoader('dmar', async () => (await import('../boards/dmar-board.js')).dmarLoader),
  ],
  demo: BUILTIN_DEMO,
});
