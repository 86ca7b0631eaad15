/**
 * Loading device tree source: dtc (the kernel's scripts/dtc, packaged as
 * device-tree-compiler) compiles it to a blob, which the DTB reader
 * unflattens. The blob never touches the disk.
 */
import { execFileSync } from 'node:child_process';
import { KemuError } from '../../src/kernel/errors.js';
import type { DeviceTree } from './device-node.js';
import { unflatten_device_tree } from './fdt.js';
import { FdtError } from './fdt-error.js';

/** Compiles the DTS at `path` with dtc and unflattens it; dtc's first error becomes a one-line KemuError. */
export function loadDtsFile(path: string): DeviceTree {
  let blob: Buffer;
  try {
    blob = execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const error = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (error.code === 'ENOENT') {
      throw new KemuError('bad-usage', `--dts needs dtc, the device tree compiler, on PATH (Debian: apt-get install device-tree-compiler); or compile ${path} yourself and pass --dtb`);
    }
    const first = (error.stderr?.toString() ?? '').split('\n').find((line) => line.trim() !== '') ?? error.message;
    throw new KemuError('bad-firmware', `DTS ${path}: dtc cannot compile it: ${first.trim()}`, { cause: err });
  }
  try {
    return unflatten_device_tree(new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength));
  } catch (err) {
    if (err instanceof FdtError) throw err.withSource(`${path} (compiled by dtc)`);
    throw err;
  }
}
