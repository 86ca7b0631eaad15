/**
 * The user's plug-in: an RK3399-like board, the two drivers for `kemu boot
 * --dtb`, and a kernel variant of their own to try: the Aug 2023 series with
 * v6.7's global probe lock in place of device_lock.
 */
import { ContainerModule, defineBoard, defineKernelVariant, definePlugin } from 'kemu';
import { Mutex } from 'kemu/kernel';
import { GlobalProbeMutex, IOMMU_PROBE_DEVICE_LOCK, IOMMU_PROBE_LOCKING, PROBE_LOCKING_VARIANTS } from 'kemu/iommu';
import { buildDeviceTree, ofFirmwareModule } from 'kemu/of';
import { platformBusModule } from 'kemu/platform';
import { rkIommuModule, rk_iommu_dt_ids } from './rk-iommu.js';
import { rkVopModule, vop_driver_dt_match } from './rk-vop.js';

export const rk3399Tree = buildDeviceTree({
  props: { compatible: 'rockchip,rk3399', '#address-cells': 1, '#size-cells': 1 },
  children: {
    'iommu@ff8f3f00': { label: 'vopb_mmu', props: { compatible: 'rockchip,iommu', reg: [0xff8f3f00, 0x100], '#iommu-cells': 0 } },
    'vop@ff900000': { props: { compatible: 'rockchip,rk3399-vop-big', reg: [0xff900000, 0x2000], iommus: { ref: 'vopb_mmu' } } },
  },
});

export const rk3399Board = defineBoard({
  name: 'rk3399-like',
  summary: 'RK3399-like: a VOP behind a Rockchip IOMMU',
  variants: PROBE_LOCKING_VARIANTS,
  defaultVariant: 'v6.7',
  modules: (variant) => [platformBusModule, ofFirmwareModule(rk3399Tree), rkIommuModule(variant), rkVopModule],
});

/** The board's boot on `variant`, by name: what a worker thread imports and calls (exploreInWorker). */
export const bootRk3399 = (variant: string) => rk3399Board.boot(variant);

export const globalProbeLock = defineKernelVariant({
  name: 'next-with-global-lock',
  summary: 'iommu-next-2023-08 with v6.7\'s global iommu_probe_device_lock in __iommu_probe_device',
  base: 'iommu-next-2023-08',
  patch: [new ContainerModule(({ bind, rebind }) => {
    rebind(IOMMU_PROBE_LOCKING).to(GlobalProbeMutex).inSingletonScope();
    bind(IOMMU_PROBE_DEVICE_LOCK).toDynamicValue(() => new Mutex('iommu_probe_device_lock')).inSingletonScope();
  })],
});

export default definePlugin({
  name: 'my-boards',
  boards: [rk3399Board],
  variants: [globalProbeLock],
  drivers: [
    { name: 'rk-iommu', summary: 'Rockchip IOMMU', compatible: rk_iommu_dt_ids.map((id) => id.compatible),
      variants: PROBE_LOCKING_VARIANTS, modules: (v) => [rkIommuModule(v)] },
    { name: 'rockchip-vop', summary: 'Rockchip VOP', compatible: vop_driver_dt_match.map((id) => id.compatible), modules: () => [rkVopModule] },
  ],
});
