/**
 * The IOMMU core (drivers/iommu/iommu.c, v6.5 shape): iommu_device
 * registration, groups, dev->iommu and the fwspec, bus_iommu_probe, the body of
 * __iommu_probe_device, default domains, and the bus notifier.
 *
 * The functions whose locking changed between the kernel variants
 * (__iommu_probe_device's serialisation, iommu_probe_device[_locked],
 * probe_iommu_group) are the variant's: see probe-locking.ts; so are those the
 * v6.8–v6.15 probe path changed (where the ops come from, iommu_device_register,
 * iommu_init_device, iommu_device_use_default_domain): see probe-path.ts.
 * Everything here is shared by all variants.
 */
import { KUNIT_STATIC_STUB_REDIRECT } from '../kernel/static-stub.js';
import { inject, injectable, multiInject, optional } from '../inversify.js';
import { bus_for_each_dev, bus_register_notifier, BUS_NOTIFY_ADD_DEVICE, BUS_NOTIFY_REMOVED_DEVICE,
  type BusType } from '../base/bus.js';
import { dev_info, Device, type FwnodeHandle } from '../base/device.js';
import { NOTIFY_DONE, NOTIFY_OK, type NotifierBlock } from '../base/notifier.js';
import { RunLocal } from '../base/run-local.js';
import { WARN_ON } from '../kernel/assert.js';
import { Mutex, mutex_lock, mutex_unlock } from '../kernel/locking/mutex.js';
import { RawSpinlock, raw_spin_lock, raw_spin_unlock } from '../kernel/locking/spinlock.js';
import { Cell } from '../kernel/memory/cell.js';
import { pr_info } from '../kernel/printk.js';
import { dev_iommu_free, dev_iommu_ops, dev_iommu_ptr, DevIommu, iommu_structs } from './dev-iommu.js';
import type { FwnodeFwspecApi } from './fwspec.js';
import type { IommuProbePath } from './probe-path.js';
import type { IommuFwLocking, IommuProbeLocking } from './probe-locking.js';
import { READ_ONCE } from '../kernel/memory/once.js';
import { load } from '../kernel/memory/slab.js';

export { DevIommu, IommuFwspec, dev_iommu_free, dev_iommu_fwspec_get, dev_iommu_get, dev_iommu_ops, dev_iommu_priv_get,
  dev_iommu_priv_set, dev_iommu_ptr, iommu_fwspec_add_ids, iommu_fwspec_free, iommu_fwspec_init } from './dev-iommu.js';
import { IOMMU_BUS, IOMMU_FW_LOCKING, IOMMU_FWSPEC, IOMMU_PROBE_LOCKING, IOMMU_PROBE_PATH } from './tokens.js';

declare module '../base/device.js' {
  interface Device {
    /** dev->iommu_group. */
    iommu_group?: IommuGroup | null;
  }
}

declare module '../base/bus.js' {
  interface BusType {
    /** bus->iommu_ops (v6.1–v6.7: 17de3f5fdd35 "iommu: Retire bus ops" removed it in v6.8). */
    iommu_ops?: IommuOps | null;
  }
}

/** Models enum iommu_domain type values (include/linux/iommu.h). */
export type IommuDomainType = 'IOMMU_DOMAIN_BLOCKED' | 'IOMMU_DOMAIN_IDENTITY' | 'IOMMU_DOMAIN_UNMANAGED' | 'IOMMU_DOMAIN_DMA';

/** Models struct iommu_domain (the fields kemu uses). */
export interface IommuDomain {
  readonly type: IommuDomainType;
  readonly ops: IommuOps;
  /** Driver state (to_exynos_domain() and the like). */
  priv?: unknown;
}

/** Models struct of_phandle_args as the IOMMU core sees it in of_xlate. */
export interface IommuOfXlateArgs {
  readonly np: FwnodeHandle;
  readonly args: readonly number[];
}

/** Models struct iommu_ops (include/linux/iommu.h, v6.5), the callbacks kemu uses. */
export interface IommuOps {
  readonly name: string;
  /** Returns the device's iommu_device, or a negative errno (-ENODEV: not mine). */
  probe_device(dev: Device): Promise<IommuDevice | number> | IommuDevice | number;
  release_device?(dev: Device): Promise<void> | void;
  probe_finalize?(dev: Device): Promise<void> | void;
  /** Returns the group (holding a reference for the device) or a negative errno. */
  device_group(dev: Device): Promise<IommuGroup | number> | IommuGroup | number;
  of_xlate?(dev: Device, args: IommuOfXlateArgs): Promise<number> | number;
  domain_alloc?(type: IommuDomainType): IommuDomain | null;
  attach_dev?(domain: IommuDomain, dev: Device): Promise<number> | number;
  def_domain_type?(dev: Device): IommuDomainType | 0;
}

/** Models struct iommu_device (include/linux/iommu.h, v6.5, plus the proposed `hwdev` and v6.15.1's `ready`). */
export class IommuDevice {
  ops: IommuOps | null = null;
  fwnode: FwnodeHandle | null = null;
  /** The sysfs class device made by iommu_device_sysfs_add(): NOT the hardware device. */
  dev: Device | null = null;
  /**
   * The device whose hardware controls the IOMMU (iommu_group_locking2, Aug 2023;
   * never merged). kemu records it on every variant; only the variants that had
   * it read it.
   */
  hwdev: Device | null = null;
  max_pasids = 0;
  /** iommu->ready (da33e87bd2bf): iommu_device_register() has finished (see iommu_device_ready). */
  ready?: Cell<boolean>;

  constructor(readonly label = 'iommu') {}

  toString(): string {
    return this.dev?.name ?? this.label;
  }
}

/** Models struct group_device. */
export interface GroupDevice {
  readonly dev: Device;
  readonly name: string;
}

/** Models struct iommu_group (drivers/iommu/iommu.c, v6.5). */
export class IommuGroup {
  readonly devices: GroupDevice[] = [];
  /** group->mutex. */
  readonly mutex: Mutex;
  default_domain: IommuDomain | null = null;
  domain: IommuDomain | null = null;
  /** On a bus_iommu_probe() group_list (list_empty(&group->entry) is false). */
  entry = false;
  owner_cnt = 0;
  owner: unknown = null;
  iommu_data: unknown = null;
  /** The devices_kobj reference count: iommu_group_get/put. */
  readonly refcount: Cell<number>;

  constructor(readonly id: number) {
    this.mutex = new Mutex(`iommu_group ${id}`, { name: '&group->mutex' });
    this.refcount = new Cell(`iommu_group ${id}.kref`, 1);
  }

  toString(): string {
    return `iommu_group ${this.id}`;
  }
}

/** `&iommu->ready`, as shared memory (made on first use; kernels before v6.15.1 never set it). */
export function iommu_device_ready(iommu: IommuDevice): Cell<boolean> {
  return (iommu.ready ??= new Cell<boolean>(`${iommu}.ready`, false));
}

/** bus_iommu_probe's arguments to probe_iommu_group (struct probe_iommu_args from the Aug 2023 series). */
export interface ProbeIommuArgs {
  readonly group_list: IommuGroup[];
  /** The iommu_device whose registration started the walk (null in v6.5's bus_iommu_probe(bus)). */
  readonly iommu: IommuDevice | null;
}

/**
 * The IOMMU core's globals for one run: iommu_device_list and its lock, the
 * group ida, iommu_buses[], and the variant's locking scheme. Constructed by
 * the machine's container inside the run.
 */
@injectable()
export class IommuCore {
  readonly iommu_device_list: IommuDevice[] = [];
  readonly iommu_device_lock = new RawSpinlock('iommu_device_lock');
  /** The list, as memory the explorer sees (written under iommu_device_lock). */
  readonly iommu_device_list_state = new Cell('iommu_device_list', 0);
  private next_group_id = 0;

  constructor(
    @inject(IOMMU_PROBE_LOCKING) readonly locking: IommuProbeLocking,
    @inject(IOMMU_FW_LOCKING) readonly fw: IommuFwLocking,
    @inject(IOMMU_PROBE_PATH) readonly path: IommuProbePath,
    @multiInject(IOMMU_BUS) readonly iommu_buses: BusType[],
    /** The v6.11 fwspec API (variants from v6.14; before v6.11 the fwspec carries its ops). */
    @inject(IOMMU_FWSPEC) @optional() readonly fwspec: FwnodeFwspecApi | undefined,
  ) {
    iommu_core.set(this);
    iommu_structs.set(path.structs);
  }

  /** ida_alloc(&iommu_group_ida): the lowest free id (groups are never freed during a boot). */
  ida_alloc(): number {
    return this.next_group_id++;
  }
}

/** The run's IOMMU core (installed by the machine's boot). */
export const iommu_core = new RunLocal<IommuCore>('the IOMMU core (src/iommu)');

/** Models device_iommu_mapped() (include/linux/device.h): the device is in a group. */
export function device_iommu_mapped(dev: Device): boolean {
  return !!dev.iommu_group;
}

/**
 * Models iommu_from_fwnode() (drivers/iommu/iommu.c, da33e87bd2bf; the lookup
 * iommu_ops_from_fwnode() always made): the registered IOMMU with that firmware
 * node, looked up under iommu_device_lock; null while its driver has not
 * registered it.
 */
export async function iommu_from_fwnode(fwnode: FwnodeHandle | null): Promise<IommuDevice | null> {
  const core = iommu_core.get();
  let found: IommuDevice | null = null;
  await raw_spin_lock(core.iommu_device_lock);
  core.iommu_device_list_state.get();
  for (const iommu of core.iommu_device_list) {
    if (iommu.fwnode === fwnode) {
      found = iommu;
      break;
    }
  }
  await raw_spin_unlock(core.iommu_device_lock);
  return found;
}

/** Models iommu_ops_from_fwnode() (drivers/iommu/iommu.c, v6.5): the ops of the registered IOMMU with that firmware node. */
export async function iommu_ops_from_fwnode(fwnode: FwnodeHandle | null): Promise<IommuOps | null> {
  return (await iommu_from_fwnode(fwnode))?.ops ?? null;
}

/** Models iommu_device_sysfs_add() (drivers/iommu/iommu-sysfs.c, v6.5): the class device, a child of the hardware device. */
export function iommu_device_sysfs_add(iommu: IommuDevice, parent: Device | null, name: string): number {
  const dev = new Device(name);
  dev.parent = parent;
  iommu.dev = dev;
  return 0;
}

/** Models iommu_device_sysfs_remove(). */
export function iommu_device_sysfs_remove(iommu: IommuDevice): void {
  iommu.dev = null;
}

/**
 * Models iommu_device_register() (drivers/iommu/iommu.c): list the instance
 * and walk the buses, as the variant's probe path does it (probe-path.ts).
 * Called from a driver's probe, it walks the bus with that driver's device
 * lock held.
 */
export async function iommu_device_register(iommu: IommuDevice, ops: IommuOps, hwdev: Device | null): Promise<number> {
  const stub = KUNIT_STATIC_STUB_REDIRECT(iommu_device_register);
  if (stub) return await stub(iommu, ops, hwdev);
  return await iommu_core.get().path.iommu_device_register(iommu, ops, hwdev);
}

/** Models iommu_device_unregister() (drivers/iommu/iommu.c, v6.5). */
export async function iommu_device_unregister(iommu: IommuDevice): Promise<void> {
  const core = iommu_core.get();
  for (const bus of core.iommu_buses) {
    await bus_for_each_dev(bus, null, iommu, remove_iommu_group);
  }
  await raw_spin_lock(core.iommu_device_lock);
  const i = core.iommu_device_list.indexOf(iommu);
  if (i >= 0) core.iommu_device_list.splice(i, 1);
  core.iommu_device_list_state.set(core.iommu_device_list_state.value + 1);
  await raw_spin_unlock(core.iommu_device_lock);
}

/** Models remove_iommu_group() (drivers/iommu/iommu.c, v6.5). */
async function remove_iommu_group(dev: Device, iommu: IommuDevice): Promise<number> {
  const param = await READ_ONCE(dev_iommu_ptr(dev));
  if (param && (await load(DevIommu, param, 'iommu_dev')) === iommu) await iommu_release_device(dev);
  return 0;
}

/** Models iommu_group_alloc() (drivers/iommu/iommu.c, v6.5). */
export function iommu_group_alloc(): IommuGroup {
  return new IommuGroup(iommu_core.get().ida_alloc());
}

/** Models iommu_group_get() (drivers/iommu/iommu.c, v6.5): a reference on dev->iommu_group, or null. */
export function iommu_group_get(dev: Device): IommuGroup | null {
  const group = dev.iommu_group ?? null;
  if (group) group.refcount.set(group.refcount.value + 1);
  return group;
}

/** Models iommu_group_ref_get(). */
export function iommu_group_ref_get(group: IommuGroup): IommuGroup {
  group.refcount.set(group.refcount.value + 1);
  return group;
}

/** Models iommu_group_put(). */
export function iommu_group_put(group: IommuGroup | null): void {
  if (!group) return;
  group.refcount.set(group.refcount.value - 1);
  WARN_ON(group.refcount.value < 0, `${group} refcount underflow`);
}

/** Models generic_device_group() (drivers/iommu/iommu.c, v6.5): a new group for each device. */
export function generic_device_group(_dev: Device): IommuGroup {
  return iommu_group_alloc();
}

/** Models iommu_deinit_device() (drivers/iommu/iommu.c, v6.5). */
export async function iommu_deinit_device(dev: Device): Promise<void> {
  const ops = await dev_iommu_ops(dev);
  await ops?.release_device?.(dev);
  dev.iommu_group = null;
  await dev_iommu_free(dev);
}

/** Models iommu_group_alloc_device() (drivers/iommu/iommu.c, v6.5): the sysfs links and "Adding to iommu group N". */
export function iommu_group_alloc_device(group: IommuGroup, dev: Device): GroupDevice {
  const gdev = { dev, name: dev.name };
  dev_info(dev, `Adding to iommu group ${group.id}`);
  return gdev;
}

/** Models __iommu_device_set_domain() (drivers/iommu/iommu.c, v6.5): attach one device. */
async function __iommu_device_set_domain(group: IommuGroup, dev: Device, domain: IommuDomain): Promise<number> {
  void group;
  return (await domain.ops.attach_dev?.(domain, dev)) ?? 0;
}

/**
 * Models iommu_setup_default_domain() (drivers/iommu/iommu.c, v6.5), called with
 * group->mutex held: allocate the default domain of the preferred type (DMA,
 * else what a device asks for), falling back to DMA; a driver that allocates
 * none leaves the group without a default domain. Then attach every device.
 */
export async function iommu_setup_default_domain(group: IommuGroup, _target_type: number): Promise<number> {
  if (group.default_domain) return 0;
  const first = group.devices[0]?.dev;
  const ops = first ? await dev_iommu_ops(first) : null;
  if (!ops?.domain_alloc) return 0;
  const wanted = (first && ops.def_domain_type?.(first)) || 'IOMMU_DOMAIN_DMA';
  const dom = ops.domain_alloc(wanted) ?? (wanted !== 'IOMMU_DOMAIN_DMA' ? ops.domain_alloc('IOMMU_DOMAIN_DMA') : null);
  if (!dom) return 0;
  for (const gdev of group.devices) {
    const ret = await __iommu_device_set_domain(group, gdev.dev, dom);
    if (ret) return ret;
  }
  group.default_domain = dom;
  group.domain = dom;
  return 0;
}

/**
 * The part of __iommu_probe_device() (drivers/iommu/iommu.c, v6.5) that runs
 * serialised, whichever lock the variant uses: skip devices already in a group,
 * init the device (the variant's iommu_init_device), then add it to its group.
 */
export async function __iommu_probe_device_serialised(dev: Device, ops: IommuOps, group_list: IommuGroup[] | null): Promise<number> {
  if (dev.iommu_group) return 0;
  const ret = await iommu_core.get().path.iommu_init_device(dev, ops);
  return ret ? ret : await __iommu_probe_device_add_to_group(dev, group_list);
}

/**
 * The end of __iommu_probe_device() (drivers/iommu/iommu.c, v6.5; v6.10 on
 * with iommu_setup_dma_ops()), for a device iommu_init_device() has put in
 * dev->iommu_group: add it to the group, then attach it or leave the group's
 * default domain to the caller (bus_iommu_probe's group_list).
 */
export async function __iommu_probe_device_add_to_group(dev: Device, group_list: IommuGroup[] | null): Promise<number> {
  let ret = 0;
  const path = iommu_core.get().path;
  const group = dev.iommu_group!;
  const gdev = iommu_group_alloc_device(group, dev);
  await mutex_lock(group.mutex);
  group.devices.push(gdev);
  if (group.domain) {
    ret = await __iommu_device_set_domain(group, dev, group.domain);
  } else if (!group.default_domain && !group_list) {
    ret = await iommu_setup_default_domain(group, 0);
  } else if (!group.default_domain && !group.entry) {
    group.entry = true;
    group_list!.push(group);
  }
  if (ret) {
    group.devices.splice(group.devices.indexOf(gdev), 1);
    await iommu_deinit_device(dev);
    await mutex_unlock(group.mutex);
    iommu_group_put(group);
    return ret;
  }
  if (group.default_domain) await path.setup_dma_ops(dev);
  await mutex_unlock(group.mutex);
  return 0;
}

/** Models the probe_finalize step of iommu_probe_device() (drivers/iommu/iommu.c, v6.5). */
export async function iommu_probe_finalize(dev: Device): Promise<void> {
  const ops = await dev_iommu_ops(dev);
  await ops?.probe_finalize?.(dev);
}

/**
 * Models bus_iommu_probe() (drivers/iommu/iommu.c, v6.5; the `iommu` argument is
 * from "iommu: Pass in the iommu_device to probe for in bus_iommu_probe()", Aug
 * 2023, and is ignored by variants without it): probe every device of the bus
 * through the variant's probe_iommu_group, then set up the default domain of
 * each new group and finalize its devices.
 */
export async function bus_iommu_probe(bus: BusType, iommu: IommuDevice | null = null): Promise<number> {
  const core = iommu_core.get();
  const args: ProbeIommuArgs = { group_list: [], iommu };
  let ret = await bus_for_each_dev(bus, null, args, core.locking.probe_iommu_group);
  if (ret) return ret;
  for (const group of [...args.group_list]) {
    await mutex_lock(group.mutex);
    group.entry = false;
    args.group_list.splice(args.group_list.indexOf(group), 1);
    ret = await iommu_setup_default_domain(group, 0);
    if (ret) {
      await mutex_unlock(group.mutex);
      return ret;
    }
    for (const gdev of group.devices) await core.path.setup_dma_ops(gdev.dev);
    await mutex_unlock(group.mutex);
    for (const gdev of group.devices) await iommu_probe_finalize(gdev.dev);
  }
  return 0;
}

/** Models iommu_release_device() (drivers/iommu/iommu.c, v6.5). */
export async function iommu_release_device(dev: Device): Promise<void> {
  const group = dev.iommu_group;
  if (!group) return;
  await mutex_lock(group.mutex);
  const i = group.devices.findIndex((g) => g.dev === dev);
  if (i >= 0) group.devices.splice(i, 1);
  await mutex_unlock(group.mutex);
  await iommu_deinit_device(dev);
  iommu_group_put(group);
}

/**
 * Models iommu_device_use_default_domain() (drivers/iommu/iommu.c), which
 * platform_dma_configure() calls for drivers that use the DMA API: the
 * variant's (probe-path.ts).
 */
export async function iommu_device_use_default_domain(dev: Device): Promise<number> {
  return await iommu_core.get().path.iommu_device_use_default_domain(dev);
}

/** Models iommu_bus_notifier() (drivers/iommu/iommu.c, v6.5): probe on ADD_DEVICE (no device lock held), release on REMOVED. */
export async function iommu_bus_notifier(_nb: NotifierBlock<Device>, action: number, dev: Device): Promise<number> {
  if (action === BUS_NOTIFY_ADD_DEVICE) {
    const ret = await iommu_core.get().locking.iommu_probe_device(dev);
    return ret ? NOTIFY_DONE : NOTIFY_OK;
  }
  if (action === BUS_NOTIFY_REMOVED_DEVICE) {
    await iommu_release_device(dev);
    return NOTIFY_OK;
  }
  return 0;
}

/** Models iommu_subsys_init() (drivers/iommu/iommu.c, v6.5; a subsys_initcall): watch every IOMMU bus. */
export async function iommu_subsys_init(): Promise<number> {
  const core = iommu_core.get();
  pr_info('iommu: Default domain type: Translated');
  for (const bus of core.iommu_buses) bus_register_notifier(bus, { notifier_call: iommu_bus_notifier });
  return 0;
}

