/**
 * Finding a board's committed firmware blob (a .dtb) from its module. Under
 * vitest the module runs from firmware/boards/, next to the blob; after `tsc`
 * it runs from dist/firmware/boards/, where the blob is not copied, so the
 * lookup walks up to the project root (the directory with package.json) and
 * takes the source copy.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KemuError } from '../../src/kernel/errors.js';
import type { DeviceTree } from '../of/device-node.js';
import { loadDtbFile } from '../of/load-dtb.js';

/** The path of `firmware/boards/<file>` for a module at `moduleUrl` (its import.meta.url). */
export function boardFilePath(file: string, moduleUrl: string): string {
  const here = dirname(fileURLToPath(new URL(`./${file}`, moduleUrl)));
  if (existsSync(join(here, file))) return join(here, file);
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const candidate = join(dir, 'firmware', 'boards', file);
      if (existsSync(candidate)) return candidate;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  throw new KemuError('bad-usage', `board file ${file} not found next to ${fileURLToPath(moduleUrl)} or under the project's firmware/boards/`);
}

const cache = new Map<string, DeviceTree>();

/** Loads (once) the DTB `file` of the board module at `moduleUrl`. */
export function loadBoardDtb(file: string, moduleUrl: string): DeviceTree {
  const path = boardFilePath(file, moduleUrl);
  let tree = cache.get(path);
  if (!tree) cache.set(path, (tree = loadDtbFile(path)));
  return tree;
}
