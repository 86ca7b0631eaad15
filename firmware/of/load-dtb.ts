/** Loading a DTB from disk: the only file of the device tree code that does I/O. */
import { readFileSync } from 'node:fs';
import { KemuError } from '../../src/kernel/errors.js';
import type { DeviceTree } from './device-node.js';
import { unflatten_device_tree } from './fdt.js';
import { FdtError } from './fdt-error.js';

/**
 * Reads the DTB at `path` and unflattens it. A malformed blob throws an FdtError whose
 * message names the file; a file that cannot be read throws KemuError('bad-usage').
 */
export function loadDtbFile(path: string): DeviceTree {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    throw new KemuError('bad-usage', `cannot read DTB file ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return unflatten_device_tree(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } catch (err) {
    if (err instanceof FdtError) throw err.withSource(path);
    throw err;
  }
}
