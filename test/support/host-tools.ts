/**
 * Host tools some tests need beyond Node: dtc (Debian's device-tree-compiler),
 * which .ci/run installs. A test whose tool is absent skips, saying which
 * tool and which package.
 */
import { spawnSync } from 'node:child_process';

/** Whether `command --version` runs on this machine. */
function runs(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

export const hasDtc = runs('dtc');
export const DTC_MISSING = 'dtc (device-tree-compiler) not installed';
