/**
 * The IOMMU core's mapping API: the map/unmap callbacks of struct
 * iommu_domain_ops, and the client-facing iommu_get_domain_for_dev(),
 * iommu_map(), iommu_unmap() and iommu_iova_to_phys() (drivers/iommu/iommu.c,
 * v6.5), which client drivers call. They dispatch to a domain that implements
 * `IommuDomainMapOps` (a driver's domain object, such as the mock IOMMU's).
 */
import type { Device } from '../base/device.js';
import type { IommuDomain } from './iommu.js';
import { WARN_ON } from '../kernel/assert.js';
import { EINVAL, ENODEV } from '../kernel/errno.js';

/** IOMMU_READ / IOMMU_WRITE (include/linux/iommu.h). */
export const IOMMU_READ = 1 << 0;
export const IOMMU_WRITE = 1 << 1;

/** Models the mapping callbacks of struct iommu_domain_ops (include/linux/iommu.h, v6.5). */
export interface IommuDomainMapOps {
  /** Page sizes the domain supports (domain->pgsize_bitmap); kemu's callers map in multiples of the smallest. */
  readonly pgsize_bitmap: number;
  map_pages(iova: number, paddr: number, pgsize: number, pgcount: number, prot: number): Promise<number | { mapped: number; ret: number }>;
  /** Returns the number of bytes unmapped. */
  unmap_pages(iova: number, pgsize: number, pgcount: number): Promise<number>;
  iova_to_phys(iova: number): Promise<number>;
}

function mapOps(domain: IommuDomain): IommuDomainMapOps | null {
  const d = domain as IommuDomain & Partial<IommuDomainMapOps>;
  return typeof d.map_pages === 'function' && typeof d.unmap_pages === 'function' ? (d as unknown as IommuDomainMapOps) : null;
}

function smallestPage(bitmap: number): number {
  return bitmap & -bitmap;
}

/** Models iommu_get_domain_for_dev() (drivers/iommu/iommu.c, v6.5): the group's current domain. */
export function iommu_get_domain_for_dev(dev: Device): IommuDomain | null {
  return dev.iommu_group?.domain ?? null;
}

/**
 * Models iommu_map() (drivers/iommu/iommu.c, v6.5), reduced: alignment to the
 * smallest page size, then one map_pages call; on failure, whatever was
 * mapped is unmapped again.
 */
export async function iommu_map(domain: IommuDomain, iova: number, paddr: number, size: number, prot: number): Promise<number> {
  const ops = mapOps(domain);
  if (!ops) return -ENODEV;
  const pgsize = smallestPage(ops.pgsize_bitmap);
  if (WARN_ON(((iova | paddr | size) % pgsize) !== 0 || size === 0,
    `unaligned: iova 0x${iova.toString(16)} pa 0x${paddr.toString(16)} size 0x${size.toString(16)} min_pagesz 0x${pgsize.toString(16)}`)) {
    return -EINVAL;
  }
  const r = await ops.map_pages(iova, paddr, pgsize, size / pgsize, prot);
  const { mapped, ret } = typeof r === 'number' ? { mapped: r === 0 ? size : 0, ret: r } : r;
  if (ret && mapped > 0) await ops.unmap_pages(iova, pgsize, mapped / pgsize);
  return ret;
}

/** Models iommu_unmap() (drivers/iommu/iommu.c, v6.5): returns the bytes unmapped. */
export async function iommu_unmap(domain: IommuDomain, iova: number, size: number): Promise<number> {
  const ops = mapOps(domain);
  if (!ops) return 0;
  const pgsize = smallestPage(ops.pgsize_bitmap);
  if (WARN_ON(((iova | size) % pgsize) !== 0, `unaligned: iova 0x${iova.toString(16)} size 0x${size.toString(16)}`)) return 0;
  return await ops.unmap_pages(iova, pgsize, size / pgsize);
}

/** Models iommu_iova_to_phys() (drivers/iommu/iommu.c, v6.5): 0 if nothing is mapped there. */
export async function iommu_iova_to_phys(domain: IommuDomain, iova: number): Promise<number> {
  return (await mapOps(domain)?.iova_to_phys(iova)) ?? 0;
}
