/**
 * Creating platform devices from the device tree (drivers/of/platform.c, v6.5):
 * of_platform_populate() registers a platform device for each available child
 * with a `compatible`, in node order, and descends into the children that match
 * the bus table it is given (none, for a NULL table). Bus drivers such as
 * simple-pm-bus and ti-sysc call it from their probe, so children are added,
 * and probed, under the parent's device lock. Each node is populated once per
 * run (OF_POPULATED, OF_POPULATED_BUS).
 */
import type { Device } from '../../src/base/device.js';
import { bus_find_device } from '../../src/base/bus.js';
import { RunLocal } from '../../src/base/run-local.js';
import { pr_debug } from '../../src/kernel/printk.js';
import { PlatformDevice, platform_bus_type, platform_device_add } from '../../buses/platform/platform.js';
import type { DeviceNode, DeviceTree } from './device-node.js';
import { of_address_count, of_address_to_resource, type OfResource } from './of-address.js';
import { of_device_is_available, of_device_is_compatible, of_find_property } from './of-base.js';

/** Models of_default_bus_match_table (drivers/of/platform.c, v6.5). */
export const of_default_bus_match_table: readonly string[] = ['simple-bus', 'simple-mfd', 'isa', 'arm,amba-bus'];

/** Models of_skipped_node_table (drivers/of/platform.c, v6.5): nodes that never get a device. */
const of_skipped_node_table: readonly string[] = ['operating-points-v2'];

/**
 * The OF_POPULATED and OF_POPULATED_BUS node flags of one run. Device trees are
 * loaded once and shared by every explored run, so the flags live with the run.
 */
class PopulatedFlags {
  readonly populated = new WeakSet<DeviceNode>();
  readonly populatedBus = new WeakSet<DeviceNode>();
}

const of_flags = new RunLocal('the OF_POPULATED flags', () => new PopulatedFlags());

/** Models of_node_test_and_set_flag(np, OF_POPULATED). */
function of_node_test_and_set_populated(np: DeviceNode): boolean {
  const flags = of_flags.get().populated;
  if (flags.has(np)) return true;
  flags.add(np);
  return false;
}

function nodeNameNoUnit(np: DeviceNode): string {
  const at = np.name.indexOf('@');
  return at < 0 ? np.name : np.name.slice(0, at);
}

/**
 * Models of_device_make_bus_id() (drivers/of/platform.c, v6.5): the translated
 * address of the first node up the tree whose `reg` translates, then the node
 * names below it (`4a066000.mmu`, `4a000000.interconnect:segment@0`), or just
 * the names up to the root (`ocp:dsp`).
 */
export function of_device_make_bus_id(np: DeviceNode): string {
  let name = '';
  for (let node: DeviceNode | null = np; node && node.parent; node = node.parent) {
    const res = of_find_property(node, 'reg') ? of_address_to_resource(node, 0) : null;
    if (res) {
      const base = `${res.start.toString(16)}.${nodeNameNoUnit(node)}`;
      return name === '' ? base : `${base}:${name}`;
    }
    name = name === '' ? node.name : `${node.name}:${name}`;
  }
  return name;
}

/** Models of_device_alloc()'s resources (drivers/of/platform.c, v6.5): one per translatable `reg` entry. */
function of_device_resources(np: DeviceNode): OfResource[] {
  const resources: OfResource[] = [];
  for (let i = 0; i < of_address_count(np); i++) {
    const res = of_address_to_resource(np, i);
    if (res) resources.push(res);
  }
  return resources;
}

/**
 * Models of_platform_device_create_pdata() (drivers/of/platform.c, v6.5): a
 * platform device for an available node not populated yet; null otherwise.
 */
export async function of_platform_device_create(np: DeviceNode, parent: Device | null): Promise<PlatformDevice | null> {
  if (!of_device_is_available(np) || of_node_test_and_set_populated(np)) return null;
  const pdev = new PlatformDevice(of_device_make_bus_id(np));
  pdev.of_node = np;
  pdev.fwnode = np.fwnode;
  pdev.parent = parent;
  pdev.resource = of_device_resources(np);
  const ret = await platform_device_add(pdev);
  if (ret) {
    of_flags.get().populated.delete(np);
    return null;
  }
  return pdev;
}

/** Models of_platform_bus_create() (drivers/of/platform.c, v6.5). */
async function of_platform_bus_create(bus: DeviceNode, matches: readonly string[] | null, parent: Device | null,
  strict: boolean): Promise<number> {
  if (strict && !of_find_property(bus, 'compatible')) return 0;
  if (of_skipped_node_table.some((c) => of_device_is_compatible(bus, c))) return 0;
  const flags = of_flags.get();
  if (flags.populatedBus.has(bus)) {
    pr_debug(`of_platform_bus_create() - skipping ${bus.full_name}, already populated`);
    return 0;
  }
  const dev = await of_platform_device_create(bus, parent);
  if (!dev || !matches?.some((m) => of_device_is_compatible(bus, m))) return 0;
  let rc = 0;
  for (const child of bus.children) {
    rc = await of_platform_bus_create(child, matches, dev, strict);
    if (rc) break;
  }
  flags.populatedBus.add(bus);
  return rc;
}

/**
 * Models of_platform_populate() (drivers/of/platform.c, v6.5): a device for each
 * child of `root` (the kernel's NULL root is the tree's root node), descending
 * into children that match `matches` (a NULL table matches nothing); `root` is
 * then marked OF_POPULATED_BUS.
 */
export async function of_platform_populate(root: DeviceNode, matches: readonly string[] | null,
  parent: Device | null): Promise<number> {
  let rc = 0;
  for (const child of root.children) {
    rc = await of_platform_bus_create(child, matches, parent, true);
    if (rc) break;
  }
  of_flags.get().populatedBus.add(root);
  return rc;
}

/** Models of_platform_default_populate() (drivers/of/platform.c, v6.5): the whole tree, default bus table. */
export async function of_platform_default_populate(tree: DeviceTree): Promise<number> {
  return await of_platform_populate(tree.root, of_default_bus_match_table, null);
}

/** Models of_find_device_by_node() (drivers/of/platform.c, v6.5): the platform device of a DT node, with a reference. */
export function of_find_device_by_node(np: DeviceNode): PlatformDevice | null {
  return bus_find_device(platform_bus_type.get(), null, np, (dev, node) => dev.of_node === node) as PlatformDevice | null;
}
