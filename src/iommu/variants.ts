/**
 * The IOMMU core's share of each kernel variant: which probe-locking scheme
 * and which firmware-configure locking it binds. One container module per
 * variant; `iommuCoreModule` binds the core itself.
 */
import { ContainerModule } from '../inversify.js';
import { KemuError } from '../kernel/errors.js';
import { Mutex } from '../kernel/locking/mutex.js';
import { IommuCore } from './iommu.js';
import {
  CallerDeviceLockV1, CallerDeviceLockV2, DeviceLockInProbe, GlobalProbeMutex, NoProbeLock, ParseUnderProbeDeviceLock,
  ReplayIommuProbeDevice, ReplayIommuProbeDeviceLocked, SkipHwdevDeviceLockInProbe, SkipSysfsDevLock, StaticProbeMutex,
  type IommuFwLocking, type IommuProbeLocking,
} from './probe-locking.js';
import { IOMMU_FW_LOCKING, IOMMU_PROBE_DEVICE_LOCK, IOMMU_PROBE_LOCKING } from './tokens.js';

import type { Newable } from '../inversify.js';

function variantModule(probe: Newable<IommuProbeLocking>, fw: Newable<IommuFwLocking>, globalLock = false): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<IommuProbeLocking>(IOMMU_PROBE_LOCKING).to(probe).inSingletonScope();
    bind<IommuFwLocking>(IOMMU_FW_LOCKING).to(fw).inSingletonScope();
    if (globalLock) bind<Mutex>(IOMMU_PROBE_DEVICE_LOCK).toDynamicValue(() => new Mutex('iommu_probe_device_lock')).inSingletonScope();
  });
}

/** Variant name → the IOMMU core's bindings for it. */
export const IOMMU_VARIANT_MODULES: Readonly<Record<string, ContainerModule>> = Object.freeze({
  'v6.1': variantModule(NoProbeLock, ReplayIommuProbeDevice),
  'v6.2': variantModule(StaticProbeMutex, ReplayIommuProbeDevice),
  'v6.5': variantModule(StaticProbeMutex, ReplayIommuProbeDevice),
  'iommu-next-2023-08': variantModule(DeviceLockInProbe, ReplayIommuProbeDevice),
  'fix-try-1': variantModule(SkipSysfsDevLock, ReplayIommuProbeDevice),
  'fix-try-2': variantModule(SkipHwdevDeviceLockInProbe, ReplayIommuProbeDevice),
  'locking2-v1': variantModule(CallerDeviceLockV1, ReplayIommuProbeDeviceLocked),
  'locking2-v2': variantModule(CallerDeviceLockV2, ReplayIommuProbeDeviceLocked),
  'v6.6': variantModule(StaticProbeMutex, ReplayIommuProbeDevice),
  'v6.7': variantModule(GlobalProbeMutex, ParseUnderProbeDeviceLock, true),
  // The VT-d variants keep v6.7's probe locking.
  'v6.11': variantModule(GlobalProbeMutex, ParseUnderProbeDeviceLock, true),
  'v6.12': variantModule(GlobalProbeMutex, ParseUnderProbeDeviceLock, true),
});

/** The variants that differ in how IOMMU probing is locked (the Aug 2023 series and its neighbours), in history order. */
export const PROBE_LOCKING_VARIANTS = ['v6.5', 'iommu-next-2023-08', 'fix-try-1', 'fix-try-2', 'locking2-v1', 'locking2-v2', 'v6.7'] as const;

/**
 * The variants either side of each fix for a race between two CPUs probing at
 * once, in history order: 01657bc14a39 (v6.1 → v6.2) and a2e7e59a9426
 * (v6.6 → v6.7-rc3, kemu's v6.7).
 */
export const PROBE_RACE_VARIANTS = ['v6.1', 'v6.2', 'v6.6', 'v6.7'] as const;

/** The IOMMU core's container module for a variant. */
export function iommuVariantModule(variant: string): ContainerModule {
  const m = IOMMU_VARIANT_MODULES[variant];
  if (!m) {
    throw new KemuError('unknown-name', `the IOMMU core has no bindings for kernel variant "${variant}"; ` +
      `known: ${Object.keys(IOMMU_VARIANT_MODULES).join(', ')}`);
  }
  return m;
}

/** Binds the IOMMU core (one per machine). */
export const iommuCoreModule = new ContainerModule(({ bind }) => {
  bind(IommuCore).toSelf().inSingletonScope();
});
