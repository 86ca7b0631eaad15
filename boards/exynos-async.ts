/**
 * Exynos boards booted with `driver_async_probe=exynos-sysmmu`, as Brian
 * Norris booted his RK3399 with `driver_async_probe=rk_iommu`: each SysMMU
 * probes in an async worker of its own, so IOMMU registration runs in
 * parallel with everything else. Written as TypeScript objects, each keeping
 * only the nodes its race needs.
 *
 * - `exynos-async-sysmmus`: two SysMMUs. Their registrations walk the platform
 *   bus at once and probe the same devices: on v6.1 nothing serialises that
 *   (the race 01657bc14a39 fixed in v6.2).
 * - `exynos-async-fimd`: one SysMMU and the display controller behind it,
 *   whose driver binds from swapper/0 while the SysMMU registers: on v6.6
 *   of_iommu_configure builds the fwspec while the bus walk's failed probe
 *   frees it (the race a2e7e59a9426 fixed in v6.7-rc3).
 */
import { platformBusModule } from '../buses/platform/module.js';
import { exynosDrmModule } from '../drivers/clients/exynos-drm.js';
import { exynosIommuModule } from '../drivers/iommu/exynos/module.js';
import { defineBoard, type Board } from '../src/machine/board.js';
import { kernelCommandLine } from '../src/machine/cmdline.js';
import type { DeviceTree } from '../firmware/of/device-node.js';
import { buildDeviceTree, type DtNodeSpec as NodeSpec } from '../firmware/of/dt-builder.js';
import { ofFirmwareModule } from '../firmware/of/module.js';
import { PROBE_RACE_VARIANTS } from '../src/iommu/variants.js';

const CMDLINE = 'driver_async_probe=exynos-sysmmu';

/** Full DPOR does not exhaust these boots in minutes; every schedule with one preemption is explored instead. */
const ONE_PREEMPTION = { kind: 'bounded', preemptions: 1 } as const;

/** The SoC's nodes straight under the root: a `soc` simple-bus would add one more device for every walk to probe. */
function exynosTree(children: Record<string, NodeSpec>): DeviceTree {
  return buildDeviceTree({
    props: { compatible: ['samsung,exynos5250', 'samsung,exynos5'], '#address-cells': 1, '#size-cells': 1 },
    children,
  });
}

const sysmmu = (label: string, reg: number): NodeSpec => ({ label, props: { compatible: 'samsung,exynos-sysmmu', reg: [reg, 0x1000], '#iommu-cells': 0 } });

let sysmmusTree: DeviceTree | null = null;
let fimdTree: DeviceTree | null = null;

export const exynosAsyncSysmmusBoard: Board = defineBoard({
  name: 'exynos-async-sysmmus',
  summary: 'two Exynos SysMMUs probing asynchronously: their registrations walk the platform bus in parallel (01657bc14a39)',
  variants: PROBE_RACE_VARIANTS,
  defaultVariant: 'v6.2',
  strategy: ONE_PREEMPTION,
  modules: (variant) => [
    kernelCommandLine(CMDLINE),
    platformBusModule,
    ofFirmwareModule((sysmmusTree ??= exynosTree({ 'sysmmu@14640000': sysmmu('sysmmu_gsc0', 0x14640000), 'sysmmu@14650000': sysmmu('sysmmu_gsc1', 0x14650000) }))),
    exynosIommuModule(variant),
  ],
});

export const exynosAsyncFimdBoard: Board = defineBoard({
  name: 'exynos-async-fimd',
  summary: 'an async-probing Exynos SysMMU and the display controller behind it, bound while the SysMMU registers (a2e7e59a9426)',
  variants: PROBE_RACE_VARIANTS,
  defaultVariant: 'v6.7',
  strategy: ONE_PREEMPTION,
  modules: (variant) => [
    kernelCommandLine(CMDLINE),
    platformBusModule,
    ofFirmwareModule((fimdTree ??= exynosTree({
      'sysmmu@14640000': sysmmu('sysmmu_fimd', 0x14640000),
      'fimd@14400000': { props: { compatible: 'samsung,exynos5250-fimd', reg: [0x14400000, 0x40000], iommus: { ref: 'sysmmu_fimd' } } },
    }))),
    exynosIommuModule(variant),
    exynosDrmModule,
  ],
});
