/**
 * Per-device IOMMU data and the firmware spec (include/linux/iommu.h and
 * drivers/iommu/iommu.c, v6.1–v6.6): `dev->iommu` (struct dev_iommu) and its
 * `fwspec` (struct iommu_fwspec), kmalloc'd objects with the kernel's arm64
 * layout, allocated on first use and freed when a probe fails or the device
 * is released.
 *
 * No lock protects these in every kernel variant (that is the history of
 * 01657bc14a39 and a2e7e59a9426), so every access is a visible load or store
 * (src/kernel/memory/slab.ts): the explorer may run another CPU between any
 * two of them, and a free that slips in between is KASAN's to report.
 */
import type { Device, FwnodeHandle } from '../base/device.js';
import { EINVAL } from '../kernel/errno.js';
import { Cell } from '../kernel/memory/cell.js';
import { READ_ONCE, WRITE_ONCE } from '../kernel/memory/once.js';
import { SlabObject, formatAddr, kfree, kzalloc, load, store, type SlabField, type StructType } from '../kernel/memory/slab.js';
import { kemu_note } from '../kernel/assert.js';
import type { IommuDevice, IommuOps } from './iommu.js';

declare module '../base/device.js' {
  interface Device {
    /** dev->iommu: the pointer to the device's struct dev_iommu (see dev_iommu_ptr). */
    iommu?: Cell<DevIommu | null>;
  }
}

/** Models struct iommu_fwspec (include/linux/iommu.h, ≤ v6.10), with room for one id before krealloc. */
export class IommuFwspec extends SlabObject {
  static readonly struct: StructType = {
    name: 'struct iommu_fwspec', size: 0x1c,
    fields: { ops: { offset: 0x0, size: 8 }, iommu_fwnode: { offset: 0x8, size: 8 }, flags: { offset: 0x10, size: 4 },
      num_ids: { offset: 0x14, size: 4 }, ids: { offset: 0x18, size: 4 } },
  };

  readonly ops: SlabField<IommuOps | null> = this.field<IommuOps | null>('ops', null);
  readonly iommu_fwnode: SlabField<FwnodeHandle | null> = this.field<FwnodeHandle | null>('iommu_fwnode', null);
  /** ids[]; num_ids is its length. */
  readonly ids: SlabField<readonly number[]> = this.field<readonly number[]>('ids', []);

  constructor() {
    super(IommuFwspec.struct);
  }
}

/**
 * Models struct dev_iommu (include/linux/iommu.h, v6.1–v6.6; 80 bytes on arm64
 * without lock debugging: the mutex, fault_param and iopf_param come first, so
 * fwspec sits at 0x30).
 */
export class DevIommu extends SlabObject {
  static readonly struct: StructType = {
    name: 'struct dev_iommu', size: 0x50,
    fields: { lock: { offset: 0x0, size: 0x20 }, fault_param: { offset: 0x20, size: 8 }, iopf_param: { offset: 0x28, size: 8 },
      fwspec: { offset: 0x30, size: 8 }, iommu_dev: { offset: 0x38, size: 8 }, priv: { offset: 0x40, size: 8 },
      max_pasids: { offset: 0x48, size: 4 }, attach_deferred: { offset: 0x4c, size: 4 } },
  };

  readonly fwspec: SlabField<IommuFwspec | null> = this.field<IommuFwspec | null>('fwspec', null);
  readonly iommu_dev: SlabField<IommuDevice | null> = this.field<IommuDevice | null>('iommu_dev', null);
  readonly priv: SlabField<unknown> = this.field<unknown>('priv', null);
  readonly max_pasids: SlabField<number> = this.field<number>('max_pasids', 0);
  readonly attach_deferred: SlabField<boolean> = this.field<boolean>('attach_deferred', false);

  constructor() {
    super(DevIommu.struct);
  }
}

/** `&dev->iommu`: the device's pointer, as shared memory (made on first use). */
export function dev_iommu_ptr(dev: Device): Cell<DevIommu | null> {
  return (dev.iommu ??= new Cell<DevIommu | null>(`${dev.name}->iommu`, null));
}

/** Models dev_iommu_get() (drivers/iommu/iommu.c, v6.6): allocate dev->iommu on first use. */
export async function dev_iommu_get(dev: Device): Promise<DevIommu> {
  const ptr = dev_iommu_ptr(dev);
  const existing = await READ_ONCE(ptr);
  if (existing) return existing;
  const param = kzalloc(DevIommu);
  await WRITE_ONCE(ptr, param);
  kemu_note(() => `${dev.name}: dev->iommu = kzalloc() = ${formatAddr(param.addr)}`);
  return param;
}

/** Models dev_iommu_free() (drivers/iommu/iommu.c, v6.6): clear dev->iommu, then free the fwspec and the param. */
export async function dev_iommu_free(dev: Device): Promise<void> {
  const ptr = dev_iommu_ptr(dev);
  const param = await READ_ONCE(ptr);
  await WRITE_ONCE(ptr, null);
  kemu_note(() => `${dev.name}: dev_iommu_free: dev->iommu = NULL (was ${param ? formatAddr(param.addr) : 'NULL'})`);
  const fwspec = await load(DevIommu, param, 'fwspec');
  if (fwspec) kfree(fwspec);
  kfree(param);
  kemu_note(() => `${dev.name}: kfree(${fwspec ? `fwspec ${formatAddr(fwspec.addr)}, ` : ''}dev->iommu ${formatAddr(param!.addr)})`);
}

/** Models dev_iommu_fwspec_get() (include/linux/iommu.h, v6.6): dev->iommu ? dev->iommu->fwspec : NULL. */
export async function dev_iommu_fwspec_get(dev: Device): Promise<IommuFwspec | null> {
  const param = await READ_ONCE(dev_iommu_ptr(dev));
  return param ? await load(DevIommu, param, 'fwspec') : null;
}

/** Models dev_iommu_fwspec_set() (include/linux/iommu.h, v6.6): dev->iommu->fwspec = fwspec. */
export async function dev_iommu_fwspec_set(dev: Device, fwspec: IommuFwspec | null): Promise<void> {
  await store(DevIommu, await READ_ONCE(dev_iommu_ptr(dev)), 'fwspec', fwspec);
}

/** Models dev_iommu_priv_get() (include/linux/iommu.h, v6.6): NULL without dev->iommu. */
export async function dev_iommu_priv_get<T>(dev: Device): Promise<T | null> {
  const param = await READ_ONCE(dev_iommu_ptr(dev));
  return param ? ((await load(DevIommu, param, 'priv')) as T | null) : null;
}

/** Models dev_iommu_priv_set() (include/linux/iommu.h, v6.6): dev->iommu->priv = priv (no check: NULL dev->iommu faults). */
export async function dev_iommu_priv_set(dev: Device, priv: unknown): Promise<void> {
  await store(DevIommu, await READ_ONCE(dev_iommu_ptr(dev)), 'priv', priv);
}

/** Models dev_iommu_ops() (drivers/iommu/iommu.c, v6.6): the ops of the device's iommu_device, or null before a probe. */
export async function dev_iommu_ops(dev: Device): Promise<IommuOps | null> {
  const param = await READ_ONCE(dev_iommu_ptr(dev));
  const iommu_dev = param ? await load(DevIommu, param, 'iommu_dev') : null;
  return iommu_dev?.ops ?? null;
}

/** Models iommu_fwspec_init() (drivers/iommu/iommu.c, v6.6): a fwspec naming the IOMMU, or a check that the existing one agrees. */
export async function iommu_fwspec_init(dev: Device, iommu_fwnode: FwnodeHandle, ops: IommuOps | null): Promise<number> {
  const existing = await dev_iommu_fwspec_get(dev);
  if (existing) return ops === (await load(IommuFwspec, existing, 'ops')) ? 0 : -EINVAL;
  await dev_iommu_get(dev);
  const fwspec = kzalloc(IommuFwspec);
  await store(IommuFwspec, fwspec, 'iommu_fwnode', iommu_fwnode);
  await store(IommuFwspec, fwspec, 'ops', ops);
  await dev_iommu_fwspec_set(dev, fwspec);
  kemu_note(() => `${dev.name}: dev->iommu->fwspec = kzalloc() = ${formatAddr(fwspec.addr)}`);
  return 0;
}

/** Models iommu_fwspec_free() (drivers/iommu/iommu.c, v6.6). */
export async function iommu_fwspec_free(dev: Device): Promise<void> {
  const fwspec = await dev_iommu_fwspec_get(dev);
  if (!fwspec) return;
  kfree(fwspec);
  await dev_iommu_fwspec_set(dev, null);
}

/** Models iommu_fwspec_add_ids() (drivers/iommu/iommu.c, v6.6); the krealloc keeps the object (kemu's fwspec has room). */
export async function iommu_fwspec_add_ids(dev: Device, ids: readonly number[]): Promise<number> {
  const fwspec = await dev_iommu_fwspec_get(dev);
  if (!fwspec) return -EINVAL;
  await store(IommuFwspec, fwspec, 'ids', [...(await load(IommuFwspec, fwspec, 'ids')), ...ids]);
  return 0;
}
