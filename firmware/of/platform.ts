/**
 * Creating platform devices from the device tree (drivers/of/platform.c, v6.5):
 * of_platform_populate() walks the tree and registers a platform device for
 * each available node with a `compatible`, descending into simple buses,
 * in node order, so the platform bus lists devices in DT order.
 */
import type { Device } from '../../src/base/device.js';
import { bus_find_device } from '../../src/base/bus.js';
import { PlatformDevice, platform_bus_type, platform_device_add } from '../../buses/platform/platform.js';
import type { DeviceNode, DeviceTree } from './device-node.js';
import { of_device_is_available, of_device_is_compatible, of_find_property, of_property_read_u32 } from './of-base.js';

/** Models of_default_bus_match_table (drivers/of/platform.c, v6.5). */
export const of_default_bus_match_table: readonly string[] = ['simple-bus', 'simple-mfd', 'isa', 'arm,amba-bus'];

function parentAddressCells(np: DeviceNode): number {
  const parent = np.parent;
  if (!parent) return 2;
  const r = of_property_read_u32(parent, '#address-cells');
  return r.err === 0 ? r.value : 2;
}

/** The first `reg` address of a node, read with its parent's #address-cells (translation is identity). */
function firstRegAddress(np: DeviceNode): bigint | null {
  const reg = of_find_property(np, 'reg');
  const cells = parentAddressCells(np);
  if (!reg || cells === 0 || reg.length < cells * 4) return null;
  let addr = 0n;
  const view = new DataView(reg.buffer, reg.byteOffset, reg.byteLength);
  for (let i = 0; i < cells; i++) addr = (addr << 32n) | BigInt(view.getUint32(i * 4));
  return addr;
}

function nodeNameNoUnit(np: DeviceNode): string {
  const at = np.name.indexOf('@');
  return at < 0 ? np.name : np.name.slice(0, at);
}

/**
 * Models of_device_make_bus_id() (drivers/of/device.c, v6.5): `4a066000.mmu`
 * for a node with an address, else the node names joined up to the first
 * ancestor with one (`ocp:dsp`).
 */
export function of_device_make_bus_id(np: DeviceNode): string {
  let name = '';
  for (let node: DeviceNode | null = np; node && node.parent; node = node.parent) {
    const addr = firstRegAddress(node);
    if (addr !== null) {
      const base = `${addr.toString(16)}.${nodeNameNoUnit(node)}`;
      return name === '' ? base : `${base}:${name}`;
    }
    name = name === '' ? node.name : `${node.name}:${name}`;
  }
  return name;
}

/** Models of_platform_device_create_pdata() (drivers/of/platform.c, v6.5). */
export async function of_platform_device_create(np: DeviceNode, parent: Device | null): Promise<PlatformDevice | null> {
  if (!of_device_is_available(np)) return null;
  const pdev = new PlatformDevice(of_device_make_bus_id(np));
  pdev.of_node = np;
  pdev.fwnode = np.fwnode;
  pdev.parent = parent;
  const ret = await platform_device_add(pdev);
  return ret ? null : pdev;
}

/** Models of_platform_bus_create() (drivers/of/platform.c, v6.5). */
async function of_platform_bus_create(bus: DeviceNode, matches: readonly string[], parent: Device | null, strict: boolean): Promise<number> {
  if (strict && !of_find_property(bus, 'compatible')) return 0;
  const dev = await of_platform_device_create(bus, parent);
  if (!dev || !matches.some((m) => of_device_is_compatible(bus, m))) return 0;
  for (const child of bus.children) {
    const rc = await of_platform_bus_create(child, matches, dev, strict);
    if (rc) return rc;
  }
  return 0;
}

/** Models of_platform_populate() (drivers/of/platform.c, v6.5): one device per available child of `root`, recursively for buses. */
export async function of_platform_populate(root: DeviceNode, matches: readonly string[] = of_default_bus_match_table,
  parent: Device | null = null): Promise<number> {
  for (const child of root.children) {
    const rc = await of_platform_bus_create(child, matches, parent, true);
    if (rc) return rc;
  }
  return 0;
}

/** Models of_platform_default_populate() for a whole tree (drivers/of/platform.c, v6.5). */
export async function of_platform_default_populate(tree: DeviceTree): Promise<number> {
  return await of_platform_populate(tree.root);
}

/** Models of_find_device_by_node() (drivers/of/platform.c, v6.5): the platform device of a DT node, with a reference. */
export function of_find_device_by_node(np: DeviceNode): PlatformDevice | null {
  return bus_find_device(platform_bus_type.get(), null, np, (dev, node) => dev.of_node === node) as PlatformDevice | null;
}

