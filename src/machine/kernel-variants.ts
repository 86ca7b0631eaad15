/**
 * The kernel variants kemu can boot, in history order. A variant is a name for
 * a set of behaviours; each subsystem maps the name to its own DI bindings
 * (the IOMMU core to a probe-locking scheme, the VT-d driver to a queued
 * invalidation implementation), so no model code asks which variant it is.
 */
import { KemuError } from '../kernel/errors.js';

export interface KernelVariant {
  readonly name: string;
  /** What the variant is, in one line, with its upstream reference. */
  readonly summary: string;
}

export const KERNEL_VARIANTS: readonly KernelVariant[] = [
  { name: 'v6.1', summary: 'v6.1: nothing serialises __iommu_probe_device; parallel bus walks free each other\'s dev->iommu (before 01657bc14a39)' },
  { name: 'v6.2', summary: 'v6.2-rc1: "iommu: Avoid races around device probe" (01657bc14a39) adds a static mutex in __iommu_probe_device' },
  { name: 'v6.5', summary: 'v6.5: __iommu_probe_device serialised by a function-local static mutex (01657bc14a39)' },
  { name: 'iommu-next-2023-08', summary: 'iommu/next, Aug 2023: "iommu: Complete the locking for dev->iommu_group" takes device_lock(dev) in __iommu_probe_device' },
  { name: 'fix-try-1', summary: 'reconstructed from the thread, not a posted patch: skip locking when dev is the iommu_device\'s sysfs dev (the wrong object)' },
  { name: 'fix-try-2', summary: 'reconstructed from the thread, not a posted patch: iommu_device::hwdev skipped in probe_iommu_group; of/acpi replay still calls iommu_probe_device' },
  { name: 'locking2-v1', summary: 'iommu_group_locking2 v1 (8 Aug 2023): probe the iommu\'s own device without taking its lock' },
  { name: 'locking2-v2', summary: 'iommu_group_locking2 v2 (9 Aug 2023, applied then dropped): skip the iommu\'s own device' },
  { name: 'v6.6', summary: 'v6.6: the static mutex of v6.2; of_iommu_configure builds the fwspec unlocked, racing a failed probe\'s dev_iommu_free' },
  { name: 'v6.7', summary: 'v6.7-rc3: "iommu: Avoid more races around device probe" (a2e7e59a9426): global iommu_probe_device_lock, also around fwspec parsing' },
  { name: 'v6.11', summary: 'v6.11: VT-d qi_submit_sync before the 0-count fix (owners mark slots QI_DONE)' },
  { name: 'v6.12', summary: 'v6.12-rc1: VT-d "Fix potential lockup if qi_submit_sync called with 0 count" (3cf74230c139)' },
];

export function findVariant(name: string): KernelVariant {
  const variant = KERNEL_VARIANTS.find((v) => v.name === name);
  if (!variant) {
    throw new KemuError('unknown-name', `unknown kernel variant "${name}"; known: ${KERNEL_VARIANTS.map((v) => v.name).join(', ')}`);
  }
  return variant;
}

/** Whether variant `a` comes at or after `b` in history (for subsystems whose behaviour changed once). */
export function variantAtLeast(a: string, b: string): boolean {
  return KERNEL_VARIANTS.indexOf(findVariant(a)) >= KERNEL_VARIANTS.indexOf(findVariant(b));
}
