/**
 * Finding the committed firmware blobs (firmware/dts/*.dtb, firmware/acpi/tables/*.aml).
 * Under vitest a module runs from its source directory, next to the blobs;
 * after `tsc` it runs from dist/, where blobs are not copied, so the lookup
 * walks up from this module to the project root (the directory with
 * package.json) and takes the source copy.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KemuError } from '../src/kernel/errors.js';
import type { DeviceTree } from './of/device-node.js';
import { loadDtbFile } from './of/load-dtb.js';
import { loadAcpiTableFile } from './acpi/load-acpi-table.js';

/**
 * The path of `firmware/<relative>` (e.g. `dts/omap4.dtb`), from the sources or
 * from dist/. `moduleUrl` is where the lookup starts: this module, in either tree.
 */
export function firmwareFilePath(relative: string, moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl));
  if (existsSync(join(here, relative))) return join(here, relative);
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const candidate = join(dir, 'firmware', relative);
      if (existsSync(candidate)) return candidate;
      break;
    }
  }
  throw new KemuError('bad-usage', `firmware file ${relative} not found under ${here} or the project's firmware/ directory`);
}

const trees = new Map<string, DeviceTree>();

/** Loads (once) a committed device tree blob, e.g. `loadCommittedDtb('omap4.dtb')` for firmware/dts/omap4.dtb. */
export function loadCommittedDtb(file: string): DeviceTree {
  let tree = trees.get(file);
  if (!tree) trees.set(file, (tree = loadDtbFile(firmwareFilePath(join('dts', file)))));
  return tree;
}

const tables = new Map<string, Uint8Array>();

/** Loads (once) a committed ACPI table, e.g. `loadCommittedAcpiTable('intel-2drhd.aml')`. */
export function loadCommittedAcpiTable(file: string): Uint8Array {
  let bytes = tables.get(file);
  if (!bytes) tables.set(file, (bytes = loadAcpiTableFile(firmwareFilePath(join('acpi', 'tables', file)))));
  return bytes;
}
