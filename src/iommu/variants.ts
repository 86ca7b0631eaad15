/**
 * The IOMMU core's share of each kernel variant: which probe-locking scheme,
 * firmware-configure locking and probe path it binds, and from v6.14 the
 * fwspec API. One container module per variant; `iommuCoreModule` binds the
 * core itself.
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
import { FwnodeFwspec, ReadyFwnodeFwspec, UnconditionalReadyFwnodeFwspec, type FwnodeFwspecApi } from './fwspec.js';
import { BusOpsProbePath, DefaultDomainDeferProbePath, FinishedElsewhereProbePath, FirmwareParsingProbePath, FwspecProbePath,
  ReadyProbePath, type IommuProbePath } from './probe-path.js';
import { IOMMU_FW_LOCKING, IOMMU_FWSPEC, IOMMU_PROBE_DEVICE_LOCK, IOMMU_PROBE_LOCKING, IOMMU_PROBE_PATH } from './tokens.js';

import type { Newable } from '../inversify.js';

/** One variant's IOMMU core classes. */
interface CoreBindings {
  readonly probe: Newable<IommuProbeLocking>;
  readonly fw: Newable<IommuFwLocking>;
  /** Default: bus->iommu_ops (BusOpsProbePath). */
  readonly path?: Newable<IommuProbePath>;
  /** The v6.11 fwspec API (from v6.14). */
  readonly fwspec?: Newable<FwnodeFwspecApi>;
  /** The global iommu_probe_device_lock of v6.7 on. */
  readonly globalLock?: boolean;
}

function variantModule(b: CoreBindings): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<IommuProbeLocking>(IOMMU_PROBE_LOCKING).to(b.probe).inSingletonScope();
    bind<IommuFwLocking>(IOMMU_FW_LOCKING).to(b.fw).inSingletonScope();
    bind<IommuProbePath>(IOMMU_PROBE_PATH).to(b.path ?? BusOpsProbePath).inSingletonScope();
    if (b.fwspec) bind<FwnodeFwspecApi>(IOMMU_FWSPEC).to(b.fwspec).inSingletonScope();
    if (b.globalLock) bind<Mutex>(IOMMU_PROBE_DEVICE_LOCK).toDynamicValue(() => new Mutex('iommu_probe_device_lock')).inSingletonScope();
  });
}

/** v6.7's locking (a global iommu_probe_device_lock, taken around the firmware parse too) with a variant's probe path. */
function globalLockModule(path?: Newable<IommuProbePath>, fwspec?: Newable<FwnodeFwspecApi>): ContainerModule {
  return variantModule({ probe: GlobalProbeMutex, fw: ParseUnderProbeDeviceLock, globalLock: true, path, fwspec });
}

/** Variant name → the IOMMU core's bindings for it. */
export const IOMMU_VARIANT_MODULES: Readonly<Record<string, ContainerModule>> = Object.freeze({
  'v6.1': variantModule({ probe: NoProbeLock, fw: ReplayIommuProbeDevice }),
  'v6.2': variantModule({ probe: StaticProbeMutex, fw: ReplayIommuProbeDevice }),
  'v6.5': variantModule({ probe: StaticProbeMutex, fw: ReplayIommuProbeDevice }),
  'iommu-next-2023-08': variantModule({ probe: DeviceLockInProbe, fw: ReplayIommuProbeDevice }),
  'fix-try-1': variantModule({ probe: SkipSysfsDevLock, fw: ReplayIommuProbeDevice }),
  'fix-try-2': variantModule({ probe: SkipHwdevDeviceLockInProbe, fw: ReplayIommuProbeDevice }),
  'locking2-v1': variantModule({ probe: CallerDeviceLockV1, fw: ReplayIommuProbeDeviceLocked }),
  'locking2-v2': variantModule({ probe: CallerDeviceLockV2, fw: ReplayIommuProbeDeviceLocked }),
  'v6.6': variantModule({ probe: StaticProbeMutex, fw: ReplayIommuProbeDevice }),
  'v6.7': globalLockModule(),
  // The VT-d variants keep v6.7's probe path.
  'v6.11': globalLockModule(),
  'v6.12': globalLockModule(),
  'v6.14': globalLockModule(FwspecProbePath, FwnodeFwspec),
  'v6.14+b46064a18810': globalLockModule(DefaultDomainDeferProbePath, FwnodeFwspec),
  'v6.15': globalLockModule(FirmwareParsingProbePath, FwnodeFwspec),
  'v6.15+0c8e9c148e29': globalLockModule(FinishedElsewhereProbePath, FwnodeFwspec),
  'v6.15.1': globalLockModule(ReadyProbePath, ReadyFwnodeFwspec),
  'v6.15.1+ready-check': globalLockModule(ReadyProbePath, UnconditionalReadyFwnodeFwspec),
});

/** The variants that differ in how IOMMU probing is locked (the Aug 2023 series and its neighbours), in history order. */
export const PROBE_LOCKING_VARIANTS = ['v6.5', 'iommu-next-2023-08', 'fix-try-1', 'fix-try-2', 'locking2-v1', 'locking2-v2', 'v6.7'] as const;

/**
 * The variants either side of each fix for a race between two CPUs probing at
 * once, in history order: 01657bc14a39 (v6.1 → v6.2) and a2e7e59a9426
 * (v6.6 → v6.7-rc3, kemu's v6.7).
 */
export const PROBE_RACE_VARIANTS = ['v6.1', 'v6.2', 'v6.6', 'v6.7'] as const;

/**
 * The variants of the v6.8+ probe path either side of the v6.15 fixes, in
 * history order: v6.14, b46064a18810 on it, v6.15 (bcb81ac6ae3c), 0c8e9c148e29
 * on v6.15, and v6.15.1 (with da33e87bd2bf too).
 */
export const PROBE_PATH_RACE_VARIANTS = ['v6.14', 'v6.14+b46064a18810', 'v6.15', 'v6.15+0c8e9c148e29', 'v6.15.1'] as const;

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
