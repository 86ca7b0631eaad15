/**
 * The IOMMU core's public API (`kemu/iommu`): what an IOMMU driver registers
 * and calls (drivers/iommu/iommu.c, v6.5 shape), the map/unmap helpers client
 * code uses, and the probe-locking schemes a kernel variant binds, for a
 * plug-in variant that patches one.
 */
export { IommuDevice, IommuGroup, iommu_device_register, iommu_device_unregister, iommu_device_sysfs_add,
  iommu_device_sysfs_remove, iommu_group_alloc, iommu_group_get, iommu_group_ref_get, iommu_group_put,
  generic_device_group, dev_iommu_fwspec_get, dev_iommu_priv_get, dev_iommu_priv_set, dev_iommu_ops,
  device_iommu_mapped, iommu_fwspec_init, iommu_fwspec_free, iommu_fwspec_add_ids, iommu_ops_from_fwnode,
  bus_iommu_probe, iommu_probe_finalize, iommu_release_device, __iommu_probe_device_serialised,
  type IommuDomain, type IommuDomainType, type IommuFwspec, type IommuOfXlateArgs, type IommuOps,
  type DevIommu, type ProbeIommuArgs } from './iommu.js';
export { IOMMU_READ, IOMMU_WRITE, iommu_get_domain_for_dev, iommu_map, iommu_unmap, iommu_iova_to_phys,
  type IommuDomainMapOps } from './iommu-map.js';
export { NoProbeLock, StaticProbeMutex, DeviceLockInProbe, SkipSysfsDevLock, SkipHwdevDeviceLockInProbe, CallerDeviceLockV1,
  CallerDeviceLockV2, GlobalProbeMutex, ReplayIommuProbeDevice, ReplayIommuProbeDeviceLocked, ParseUnderProbeDeviceLock,
  type IommuProbeLocking, type IommuFwLocking } from './probe-locking.js';
export { IOMMU_PROBE_LOCKING, IOMMU_FW_LOCKING, IOMMU_PROBE_DEVICE_LOCK, IOMMU_BUS } from './tokens.js';
export { PROBE_LOCKING_VARIANTS, PROBE_RACE_VARIANTS } from './variants.js';
