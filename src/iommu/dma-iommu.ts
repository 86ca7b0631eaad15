/**
 * iommu-dma (drivers/iommu/dma-iommu.c, v6.12 on), reduced to what a
 * device's streaming mappings need: iommu_setup_dma_ops() switches the
 * device's DMA API to iommu-dma (`dev->dma_iommu`) when its group's domain
 * translates for the DMA API, and iommu_dma_map_page()/iommu_dma_unmap_page()
 * give out IOVAs from the domain's IOVA space and map them in its page table.
 *
 * `dev->dma_iommu` is a plain bitfield in struct device, written by the probe
 * and read by every DMA API call without a lock; kemu makes those accesses
 * visible, so the explorer orders a mapping against the switch.
 */
import type { Device } from '../base/device.js';
import { kemu_note, WARN_ON } from '../kernel/assert.js';
import { Cell } from '../kernel/memory/cell.js';
import { READ_ONCE, WRITE_ONCE } from '../kernel/memory/once.js';
import type { IommuDomain } from './iommu.js';
import { IOMMU_READ, IOMMU_WRITE, iommu_get_domain_for_dev, iommu_iova_to_phys, iommu_map, iommu_unmap } from './iommu-map.js';

declare module '../base/device.js' {
  interface Device {
    /** dev->dma_iommu: the DMA API goes through iommu-dma (see dev_dma_iommu). */
    dma_iommu?: Cell<boolean>;
  }
}

declare module './iommu.js' {
  interface IommuDomain {
    /** domain->iova_cookie: the IOVA space iommu-dma allocates from (DMA API domains only). */
    iova_cookie?: IovaDomain;
  }
}

/** The IOVA granule kemu's DMA domains use (4 KiB pages). */
const IOVA_GRANULE = 0x1000;

/**
 * Models struct iova_domain (drivers/iommu/iova.c), reduced: IOVAs are handed
 * out top-down below the device's DMA limit, as alloc_iova_fast() does for a
 * fresh domain, and not reused.
 */
export class IovaDomain {
  private next: number;

  constructor(readonly granule: number, dma_limit: number) {
    this.next = dma_limit + 1;
  }

  /** Models iommu_dma_alloc_iova() (drivers/iommu/dma-iommu.c): `size` bytes, granule-aligned, below the last. */
  alloc(size: number): number {
    this.next -= size;
    return this.next;
  }
}

/** `&dev->dma_iommu`, as shared memory (made on first use; false until the probe sets it). */
export function dev_dma_iommu(dev: Device): Cell<boolean> {
  return (dev.dma_iommu ??= new Cell<boolean>(`${dev.name}->dma_iommu`, false));
}

/** Models use_dma_iommu() (include/linux/dma-map-ops.h, v6.12): the device's DMA API goes through iommu-dma. */
export async function use_dma_iommu(dev: Device): Promise<boolean> {
  return await READ_ONCE(dev_dma_iommu(dev));
}

/** Models iommu_is_dma_domain() (include/linux/iommu.h): a translating domain the DMA API may use. */
function iommu_is_dma_domain(domain: IommuDomain | null): boolean {
  return domain?.type === 'IOMMU_DOMAIN_DMA';
}

/** Models iommu_dma_init_domain() (drivers/iommu/dma-iommu.c): the domain's IOVA space, below a 32-bit DMA mask. */
function iommu_dma_init_domain(domain: IommuDomain): void {
  domain.iova_cookie ??= new IovaDomain(IOVA_GRANULE, 0xffff_ffff);
}

/**
 * Models iommu_setup_dma_ops() (drivers/iommu/dma-iommu.c, v6.12 on), which
 * the IOMMU core calls once the device's group has its default domain.
 */
export async function iommu_setup_dma_ops(dev: Device): Promise<void> {
  const domain = iommu_get_domain_for_dev(dev);
  const dma = iommu_is_dma_domain(domain);
  await WRITE_ONCE(dev_dma_iommu(dev), dma);
  kemu_note(() => `${dev.name}: iommu_setup_dma_ops: dev->dma_iommu = ${dma}`);
  if (dma) iommu_dma_init_domain(domain!);
}

/** Models iommu_get_dma_domain() (drivers/iommu/iommu.c): the group's default domain, without locking. */
function iommu_get_dma_domain(dev: Device): IommuDomain | null {
  return dev.iommu_group?.default_domain ?? null;
}

/**
 * Models iommu_dma_map_page() → __iommu_dma_map() (drivers/iommu/dma-iommu.c):
 * an IOVA for the granules `phys` spans, mapped in the default domain. Returns
 * the DMA address, or DMA_MAPPING_ERROR (-1) if the map fails.
 */
export async function iommu_dma_map_page(dev: Device, phys: number, size: number): Promise<number> {
  const domain = iommu_get_dma_domain(dev)!;
  const iovad = domain.iova_cookie!;
  const iova_off = phys % iovad.granule;
  const len = Math.ceil((size + iova_off) / iovad.granule) * iovad.granule;
  const iova = iovad.alloc(len);
  if (await iommu_map(domain, iova, phys - iova_off, len, IOMMU_READ | IOMMU_WRITE)) return -1;
  return iova + iova_off;
}

/**
 * Models iommu_dma_unmap_page() (drivers/iommu/dma-iommu.c): the address must
 * be one iommu-dma mapped in the default domain; an address nothing maps there
 * (one dma-direct handed out, say) WARNs and is left alone.
 */
export async function iommu_dma_unmap_page(dev: Device, dma_handle: number, size: number): Promise<void> {
  const domain = iommu_get_dma_domain(dev);
  const phys = domain ? await iommu_iova_to_phys(domain, dma_handle) : 0;
  if (WARN_ON(!phys, `no IOVA mapping for DMA address 0x${dma_handle.toString(16)}`)) return;
  const granule = domain!.iova_cookie!.granule;
  const iova_off = dma_handle % granule;
  await iommu_unmap(domain!, dma_handle - iova_off, Math.ceil((size + iova_off) / granule) * granule);
}
