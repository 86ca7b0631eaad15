/**
 * Per-device IOMMU data and the firmware spec (include/linux/iommu.h and
 * drivers/iommu/iommu.c, v6.1–v6.14): `dev->iommu` (struct dev_iommu) and its
 * `fwspec` (struct iommu_fwspec), kmalloc'd objects with the kernel's arm64
 * layout, allocated on first use and freed when a probe fails or the device
 * is released. Both structs changed shape: dev_iommu lost iopf_param in v6.8
 * and iommu_fwspec its ops in v6.11, so the layout is the booted variant's
 * (`iommu_structs`, installed by the IOMMU core).
 *
 * No lock protects these in every kernel variant (that is the history of
 * 01657bc14a39 and a2e7e59a9426), so every access is a visible load or store
 * (src/kernel/memory/slab.ts): the explorer may run another CPU between any
 * two of them, and a free that slips in between is KASAN's to report.
 */
import type { Device, FwnodeHandle } from '../base/device.js';
import { RunLocal } from '../base/run-local.js';
import { EINVAL } from '../kernel/errno.js';
import { KemuError } from '../kernel/errors.js';
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

/** The layouts of the two structs in one kernel era. */
export interface IommuStructs {
  readonly dev_iommu: StructType;
  readonly iommu_fwspec: StructType;
}

/**
 * v6.1–v6.10 (arm64, no lock debugging): struct dev_iommu is 80 bytes, its
 * mutex, fault_param and iopf_param first, so fwspec sits at 0x30; struct
 * iommu_fwspec carries its ops and has room for one id before krealloc.
 */
export const IOMMU_STRUCTS_V6_1: IommuStructs = Object.freeze({
  dev_iommu: {
    name: 'struct dev_iommu', size: 0x50,
    fields: { lock: { offset: 0x0, size: 0x20 }, fault_param: { offset: 0x20, size: 8 }, iopf_param: { offset: 0x28, size: 8 },
      fwspec: { offset: 0x30, size: 8 }, iommu_dev: { offset: 0x38, size: 8 }, priv: { offset: 0x40, size: 8 },
      max_pasids: { offset: 0x48, size: 4 }, attach_deferred: { offset: 0x4c, size: 4 } },
  },
  iommu_fwspec: {
    name: 'struct iommu_fwspec', size: 0x1c,
    fields: { ops: { offset: 0x0, size: 8 }, iommu_fwnode: { offset: 0x8, size: 8 }, flags: { offset: 0x10, size: 4 },
      num_ids: { offset: 0x14, size: 4 }, ids: { offset: 0x18, size: 4 } },
  },
});

/**
 * v6.14 on: "iommu: Merge iopf_device_param into iommu_fault_param" (v6.8)
 * took iopf_param out of struct dev_iommu, so fwspec sits at 0x28; "iommu:
 * Resolve fwspec ops automatically" (v6.11) took ops out of struct
 * iommu_fwspec, which names its IOMMU by fwnode alone.
 */
export const IOMMU_STRUCTS_V6_14: IommuStructs = Object.freeze({
  dev_iommu: {
    name: 'struct dev_iommu', size: 0x48,
    fields: { lock: { offset: 0x0, size: 0x20 }, fault_param: { offset: 0x20, size: 8 }, fwspec: { offset: 0x28, size: 8 },
      iommu_dev: { offset: 0x30, size: 8 }, priv: { offset: 0x38, size: 8 }, max_pasids: { offset: 0x40, size: 4 },
      attach_deferred: { offset: 0x44, size: 4 } },
  },
  iommu_fwspec: {
    name: 'struct iommu_fwspec', size: 0x14,
    fields: { iommu_fwnode: { offset: 0x0, size: 8 }, flags: { offset: 0x8, size: 4 }, num_ids: { offset: 0xc, size: 4 },
      ids: { offset: 0x10, size: 4 } },
  },
});

/** The booted variant's layouts (the IOMMU core installs them; a run without one has v6.1's). */
export const iommu_structs = new RunLocal<IommuStructs>('the IOMMU struct layouts', () => IOMMU_STRUCTS_V6_1);

/** Models struct iommu_fwspec (include/linux/iommu.h), with room for one id before krealloc. */
export class IommuFwspec extends SlabObject {
  static get struct(): StructType {
    return iommu_structs.get().iommu_fwspec;
  }

  readonly iommu_fwnode: SlabField<FwnodeHandle | null> = this.field<FwnodeHandle | null>('iommu_fwnode', null);
  /** ids[]; num_ids is its length. */
  readonly ids: SlabField<readonly number[]> = this.field<readonly number[]>('ids', []);
  private readonly opsField: SlabField<IommuOps | null> | null = 'ops' in this.struct.fields ? this.field<IommuOps | null>('ops', null) : null;

  constructor() {
    super(IommuFwspec.struct);
  }

  /** fwspec->ops, which only kernels before v6.11 have. */
  get ops(): SlabField<IommuOps | null> {
    if (!this.opsField) throw new KemuError('bad-usage', 'struct iommu_fwspec has no ops since v6.11: resolve them with iommu_fwspec_ops()');
    return this.opsField;
  }
}

/** Models struct dev_iommu (include/linux/iommu.h). */
export class DevIommu extends SlabObject {
  static get struct(): StructType {
    return iommu_structs.get().dev_iommu;
  }

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

/**
 * Models iommu_fwspec_init() (drivers/iommu/iommu.c, v6.6) as kernels before
 * v6.11 have it, the caller passing the ops it looked up: a fwspec naming the
 * IOMMU, or a check that the existing one agrees. (v6.11's is in fwspec.ts.)
 */
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
