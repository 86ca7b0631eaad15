/**
 * The DMA mapping API a driver calls (kernel/dma/mapping.c and
 * kernel/dma/direct.h, v6.12 on), reduced to streaming mappings of a
 * kmalloc'd buffer: dma_map_single() and dma_unmap_single() go to iommu-dma
 * when the device's DMA API has been switched to it (dev->dma_iommu), and to
 * dma-direct otherwise, where the DMA address is the physical address.
 */
import type { Device } from '../base/device.js';
import { kemu_note } from '../kernel/assert.js';
import type { SlabObject } from '../kernel/memory/slab.js';
import { iommu_dma_map_page, iommu_dma_unmap_page, use_dma_iommu } from './dma-iommu.js';

/** enum dma_data_direction (include/linux/dma-direction.h). */
export type DmaDataDirection = 'DMA_BIDIRECTIONAL' | 'DMA_TO_DEVICE' | 'DMA_FROM_DEVICE';

/** DMA_MAPPING_ERROR (include/linux/dma-mapping.h), as kemu's numbers hold it. */
export const DMA_MAPPING_ERROR = -1;

/** virt_to_phys() of a kmalloc'd object: kemu's linear map starts at physical 0. */
function virt_to_phys(obj: SlabObject): number {
  return obj.addr;
}

/** Models dma_map_single() → dma_map_page_attrs() (kernel/dma/mapping.c): dma-direct returns the physical address. */
export async function dma_map_single(dev: Device, buf: SlabObject, size: number, _dir: DmaDataDirection): Promise<number> {
  const phys = virt_to_phys(buf);
  const iommu = await use_dma_iommu(dev);
  const addr = iommu ? await iommu_dma_map_page(dev, phys, size) : phys;
  kemu_note(() => `${dev.name}: dma_map_single = 0x${addr.toString(16)} (${iommu ? 'iommu-dma' : 'dma-direct'})`);
  return addr;
}

/** Models dma_unmap_single() → dma_unmap_page_attrs() (kernel/dma/mapping.c): dma-direct has nothing to undo here. */
export async function dma_unmap_single(dev: Device, addr: number, size: number, _dir: DmaDataDirection): Promise<void> {
  const iommu = await use_dma_iommu(dev);
  kemu_note(() => `${dev.name}: dma_unmap_single(0x${addr.toString(16)}) (${iommu ? 'iommu-dma' : 'dma-direct'})`);
  if (iommu) await iommu_dma_unmap_page(dev, addr, size);
}
