/** DI tokens of the omap-iommu driver. */
import type { OmapBusReprobe } from './omap-iommu.js';

/** Where omap_iommu_probe() re-probes the bus (a per-variant binding). */
export const OMAP_IOMMU_BUS_REPROBE = Symbol.for('kemu.omap-iommu.bus-reprobe') as symbol & { __type?: OmapBusReprobe };
