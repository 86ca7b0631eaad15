/**
 * Exynos boards booted with `driver_async_probe=exynos-sysmmu`, as Brian
 * Norris booted his RK3399 with `driver_async_probe=rk_iommu`: each SysMMU
 * probes in an async worker of its own, so IOMMU registration runs in
 * parallel with everything else. Written as TypeScript objects, each keeping
 * only the nodes its race needs (fw_devlink, which would hold a client back
 * until its SysMMU is bound, is not modelled, as with `fw_devlink=off`).
 *
 * - `exynos-async-sysmmus`: two SysMMUs. Their registrations walk the platform
 *   bus at once and probe the same devices: on v6.1 nothing serialises that
 *   (the race 01657bc14a39 fixed in v6.2); up to v6.6 a walk's failed probe
 *   frees the other SysMMU's dev->iommu while that SysMMU's own
 *   of_iommu_configure reads it (a2e7e59a9426, v6.7-rc3); on v6.15 one walk
 *   frees dev->iommu while the other has dropped the lock around
 *   dma_configure (0c8e9c148e29).
 * - `exynos-async-fimd`: one SysMMU and the display controller behind it,
 *   whose driver binds from swapper/0 while the SysMMU registers: on v6.6
 *   of_iommu_configure builds the fwspec while the bus walk's failed probe
 *   frees it (the race a2e7e59a9426 fixed in v6.7-rc3).
 * - `exynos-async-dma`: one SysMMU and a client that DMAs at probe, both
 *   probing asynchronously: on v6.14 the client binds while its group has no
 *   default domain yet and is switched from dma-direct to iommu-dma underfoot
 *   (b46064a18810); on v6.15 its of_iommu_configure replays a probe the bus
 *   walk has not tried yet (da33e87bd2bf).
 * - `exynos-async-mfc`: the Exynos5250 MFC, a client of two SysMMUs, for the
 *   readiness check Tudor Ambarus proposed for such clients in March 2026
 *   (kernel variant v6.15.1+ready-check).
 *
 * Full DPOR cannot exhaust a boot whose asynchronous probes interleave with
 * deferred probing: every driver_bound() takes deferred_probe_mutex and kicks
 * the deferred-probe worker, against deferred_probe_initcall()'s triggers
 * and flushes, in every order. `exynos-async-sysmmus` and `exynos-async-dma`
 * therefore boot with `initcall_blacklist=deferred_probe_initcall` and are
 * explored whole: nothing retries a device that defers, and kemu lists it as
 * still deferred when the boot ends (on exynos-async-dma, the client that
 * probed before its SysMMU registered, or inside a window a fix closes by
 * deferring it). `exynos-async-fimd` needs deferred probing (its race is in
 * the retry) and explores every schedule with one preemption instead, and so
 * does `exynos-async-mfc`, whose three asynchronous probes are too many
 * interleavings for full DPOR even without deferred probing.
 */
import { platformBusModule } from '../buses/platform/module.js';
import { exynosDrmModule } from '../drivers/clients/exynos-drm.js';
import { fwDmaClientModule } from '../drivers/clients/fw-dma-client.js';
import { exynosIommuModule } from '../drivers/iommu/exynos/module.js';
import { defineBoard, type Board } from '../src/machine/board.js';
import { kernelCommandLine } from '../src/machine/cmdline.js';
import type { DeviceTree } from '../firmware/of/device-node.js';
import { buildDeviceTree, type DtNodeSpec as NodeSpec } from '../firmware/of/dt-builder.js';
import { ofFirmwareModule } from '../firmware/of/module.js';
import { PROBE_PATH_RACE_VARIANTS, PROBE_RACE_VARIANTS } from '../src/iommu/variants.js';

const CMDLINE = 'driver_async_probe=exynos-sysmmu';

/** Deferred probing left out (see above). */
const WITHOUT_DEFERRED_PROBING = 'initcall_blacklist=deferred_probe_initcall';

/** What exynos-async-fimd explores: its full space is too large to exhaust. */
const ONE_PREEMPTION = { kind: 'bounded', preemptions: 1 } as const;

/**
 * Every variant of the two-SysMMU boot but one exhausts in at most 5,333
 * schedules (v6.15+0c8e9c148e29); v6.1's, with nothing serialising the walks,
 * is some 90,000, and its search stops here, its failures found in the first
 * hundred.
 */
const SYSMMUS_MAX_SCHEDULES = 6000;

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
let dmaTree: DeviceTree | null = null;
let mfcTree: DeviceTree | null = null;

export const exynosAsyncSysmmusBoard: Board = defineBoard({
  name: 'exynos-async-sysmmus',
  summary: 'two Exynos SysMMUs probing asynchronously: their registrations walk the platform bus in parallel (01657bc14a39, a2e7e59a9426, 0c8e9c148e29)',
  // v6.15.1 adds da33e87bd2bf, which is about clients; this board has none.
  variants: [...PROBE_RACE_VARIANTS, 'v6.14', 'v6.15', 'v6.15+0c8e9c148e29'],
  strategy: 'dpor',
  maxSchedules: SYSMMUS_MAX_SCHEDULES,
  modules: (variant) => [
    kernelCommandLine(`${CMDLINE} ${WITHOUT_DEFERRED_PROBING}`),
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

export const exynosAsyncDmaBoard: Board = defineBoard({
  name: 'exynos-async-dma',
  summary: 'an async-probing Exynos SysMMU and a client that DMAs at probe, probing in parallel (b46064a18810, da33e87bd2bf)',
  variants: PROBE_PATH_RACE_VARIANTS,
  strategy: 'dpor',
  modules: (variant) => [
    kernelCommandLine(`${CMDLINE},fw-dma-client ${WITHOUT_DEFERRED_PROBING}`),
    platformBusModule,
    ofFirmwareModule((dmaTree ??= exynosTree({
      'sysmmu@11200000': sysmmu('sysmmu_mfc', 0x11200000),
      'codec@11000000': { props: { compatible: 'kemu,fw-dma-client', reg: [0x11000000, 0x10000], iommus: { ref: 'sysmmu_mfc' } } },
    }))),
    exynosIommuModule(variant),
    fwDmaClientModule,
  ],
});

/**
 * The MFC as exynos5250.dtsi lays it out (arch/arm/boot/dts/samsung,
 * torvalds/linux 3daee2e4b356): `codec@11000000` behind two SysMMUs,
 * `iommus = <&sysmmu_mfc_l>, <&sysmmu_mfc_r>` with mfc_r at 0x11200000 and
 * mfc_l at 0x11210000, both probing asynchronously, and the client (the
 * DMA-at-probe stand-in for s5p-mfc) too.
 */
export const exynosAsyncMfcBoard: Board = defineBoard({
  name: 'exynos-async-mfc',
  summary: 'the Exynos5250 MFC behind its two SysMMUs, all probing asynchronously (da33e87bd2bf with a client of two IOMMUs)',
  variants: [...PROBE_PATH_RACE_VARIANTS, 'v6.15.1+ready-check'],
  // A kernel that was released, not the proposal.
  defaultVariant: 'v6.15.1',
  strategy: ONE_PREEMPTION,
  modules: (variant) => [
    kernelCommandLine(`${CMDLINE},fw-dma-client ${WITHOUT_DEFERRED_PROBING}`),
    platformBusModule,
    ofFirmwareModule((mfcTree ??= exynosTree({
      'codec@11000000': { props: { compatible: 'kemu,fw-dma-client', reg: [0x11000000, 0x10000], iommus: [{ ref: 'sysmmu_mfc_l' }, { ref: 'sysmmu_mfc_r' }] } },
      'sysmmu@11200000': sysmmu('sysmmu_mfc_r', 0x11200000),
      'sysmmu@11210000': sysmmu('sysmmu_mfc_l', 0x11210000),
    }))),
    exynosIommuModule(variant),
    fwDmaClientModule,
  ],
});
