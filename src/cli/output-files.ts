/**
 * The files a command writes besides its output (`--trace`, `--html`):
 * checked before any exploring starts, so a typo in a directory costs a
 * message instead of minutes of work and a stack trace.
 */
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KemuError } from '../kernel/errors.js';

/** Throws unless `path` can be created or overwritten: its directory exists and is writable, and it is not a directory. */
export function checkWritable(path: string, option: string): void {
  const dir = dirname(resolve(path));
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return null;
    }
  };
  const where = isDir(dir);
  if (where === null) throw new KemuError('bad-usage', `${option} ${path}: directory ${dir} does not exist`);
  if (!where) throw new KemuError('bad-usage', `${option} ${path}: ${dir} is not a directory`);
  if (isDir(resolve(path))) throw new KemuError('bad-usage', `${option} ${path}: is a directory; give a file name`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new KemuError('bad-usage', `${option} ${path}: directory ${dir} is not writable`);
  }
}

/** Writes a file, turning a failure (disk full, a permission changed since the check) into a KemuError. */
export function writeOutputFile(path: string, option: string, contents: string): void {
  try {
    writeFileSync(path, contents);
  } catch (error) {
    throw new KemuError('bad-usage', `${option} ${path}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
