/**
 * Device-side OF helpers (drivers/of/device.c, v6.5): driver matching by
 * compatible and of_dma_configure(), which buses call from dma_configure.
 */
import type { Device, FwnodeHandle } from '../../src/base/device.js';
import type { DeviceDriver, OfDeviceId } from '../../src/base/driver.js';
import { dev_dbg } from '../../src/base/device.js';
import { EPROBE_DEFER } from '../../src/kernel/errno.js';
import { DeviceNode } from './device-node.js';
import { of_device_is_compatible } from './of-base.js';
import { of_iommu } from './of-iommu.js';

/** The device's DT node, if it has one. */
export function dev_of_node(dev: Device): DeviceNode | null {
  return dev.of_node instanceof DeviceNode ? dev.of_node : null;
}

/** Models of_match_node() (drivers/of/base.c, v6.5): the best-scoring entry of a match table. */
export function of_match_node(matches: readonly OfDeviceId[] | null, np: DeviceNode | null): OfDeviceId | null {
  if (!matches || !np) return null;
  let best: OfDeviceId | null = null;
  let bestScore = 0;
  for (const m of matches) {
    const score = of_device_is_compatible(np, m.compatible);
    if (score > bestScore) {
      best = m;
      bestScore = score;
    }
  }
  return best;
}

/** Models of_driver_match_device() (include/linux/of_device.h, v6.5). */
export function of_driver_match_device(dev: Device, drv: DeviceDriver): boolean {
  return of_match_node(drv.of_match_table, dev_of_node(dev)) !== null;
}

/** Models of_dma_configure() (include/linux/of_device.h, v6.5): of_dma_configure_id with no input id. */
export async function of_dma_configure(dev: Device, np: FwnodeHandle, force_dma: boolean): Promise<number> {
  return await of_dma_configure_id(dev, np, force_dma, null);
}

/**
 * Models of_dma_configure_id() (drivers/of/device.c, v6.5): configure the
 * device's IOMMU from the DT; an IOMMU that has not registered yet defers the
 * probe. DMA ranges and coherency are not modelled.
 */
export async function of_dma_configure_id(dev: Device, np: FwnodeHandle, _force_dma: boolean, id: number | null): Promise<number> {
  const ret = await of_iommu.get().of_iommu_configure(dev, np instanceof DeviceNode ? np : null, id);
  if (ret === -EPROBE_DEFER) return -EPROBE_DEFER;
  dev_dbg(dev, `device is${ret ? ' not ' : ' '}behind an iommu`);
  return 0;
}
