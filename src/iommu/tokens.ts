/**
 * DI tokens of the IOMMU core. A machine binds each once: the probe-locking
 * scheme, the firmware-configure locking, the probe path and the fwspec API
 * come from the kernel variant's container module (src/iommu/variants.ts);
 * the buses the core watches come from the bus modules.
 */
import type { BusType } from '../base/bus.js';
import type { Mutex } from '../kernel/locking/mutex.js';
import type { FwnodeFwspecApi } from './fwspec.js';
import type { IommuProbePath } from './probe-path.js';
import type { IommuFwLocking, IommuProbeLocking } from './probe-locking.js';

/** The variant's probe-locking scheme (its versions of __iommu_probe_device and friends). */
export const IOMMU_PROBE_LOCKING = Symbol.for('kemu.iommu.probe-locking') as symbol & { __type?: IommuProbeLocking };
/** How of_iommu_configure / acpi_iommu_configure_id lock around parsing and which probe they replay. */
export const IOMMU_FW_LOCKING = Symbol.for('kemu.iommu.fw-locking') as symbol & { __type?: IommuFwLocking };
/** The variant's probe path: where the ops come from, registration, iommu_init_device, the default-domain check (probe-path.ts). */
export const IOMMU_PROBE_PATH = Symbol.for('kemu.iommu.probe-path') as symbol & { __type?: IommuProbePath };
/** The v6.11 fwspec API (bound by the variants from v6.14 only; fwspec.ts). */
export const IOMMU_FWSPEC = Symbol.for('kemu.iommu.fwspec') as symbol & { __type?: FwnodeFwspecApi };
/** The global `iommu_probe_device_lock` of v6.7 (bound only by variants that have it). */
export const IOMMU_PROBE_DEVICE_LOCK = Symbol.for('kemu.iommu.probe-device-lock') as symbol & { __type?: Mutex };
/** A bus in `iommu_buses[]` (multi-bound: one binding per bus). */
export const IOMMU_BUS = Symbol.for('kemu.iommu.bus') as symbol & { __type?: BusType };
