/**
 * A board made from a device tree and the drivers its nodes name: what
 * `kemu boot --dtb FILE` (and `--dts FILE`) boots. As udev coldplug loads the
 * modules whose aliases match the compatibles of_platform_populate() created
 * devices for, the board links every driver of the catalog one of whose
 * compatibles a node lists, in catalog (link) order, after the platform bus
 * and the tree itself.
 */
import { basename } from 'node:path';
import { platformBusModule } from '../buses/platform/module.js';
import type { DeviceTree } from '../firmware/of/device-node.js';
import { loadDtbFile } from '../firmware/of/load-dtb.js';
import { loadDtsFile } from '../firmware/of/load-dts.js';
import { ofFirmwareModule } from '../firmware/of/module.js';
import { of_property_read_string_array } from '../firmware/of/of-base.js';
import { defineBoard, type Board } from '../src/machine/board.js';
import type { DriverEntry, FirmwareLoader } from '../src/machine/catalog.js';
import { KERNEL_VARIANTS } from '../src/machine/kernel-variants.js';

/** Every compatible string some node of the tree lists. */
function treeCompatibles(tree: DeviceTree): Set<string> {
  const found = new Set<string>();
  for (const np of tree.allNodes()) {
    const list = of_property_read_string_array(np, 'compatible');
    if (list.err === 0) for (const c of list.value) found.add(c);
  }
  return found;
}

/** The variants every chosen driver is meant for, in history order (every built-in one if none says). */
function commonVariants(drivers: readonly DriverEntry[]): string[] {
  return KERNEL_VARIANTS.map((v) => v.name).filter((v) => drivers.every((d) => d.variants === undefined || d.variants.includes(v)));
}

/** The board of `tree`, named `name`, with the drivers of `drivers` its nodes are compatible with. */
export function deviceTreeBoard(name: string, tree: DeviceTree, drivers: readonly DriverEntry[]): Board {
  const compatibles = treeCompatibles(tree);
  const bound = drivers.filter((d) => d.compatible.some((c) => compatibles.has(c)));
  const variants = commonVariants(bound);
  return defineBoard({
    name,
    summary: `device tree ${name}: ${bound.length > 0 ? `drivers ${bound.map((d) => d.name).join(', ')}` : 'no driver of the catalog matches a node'}`,
    variants,
    modules: (variant) => [platformBusModule, ofFirmwareModule(tree), ...bound.flatMap((d) => d.modules(variant))],
  });
}

/** `--dtb FILE`: a flattened device tree blob. */
export const dtbLoader: FirmwareLoader = {
  kind: 'dtb',
  board: (path, drivers) => deviceTreeBoard(basename(path), loadDtbFile(path), drivers),
};

/** `--dts FILE`: device tree source, compiled with dtc. */
export const dtsLoader: FirmwareLoader = {
  kind: 'dts',
  board: (path, drivers) => deviceTreeBoard(basename(path), loadDtsFile(path), drivers),
};
