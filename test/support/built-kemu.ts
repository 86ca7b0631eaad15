/**
 * The kemu command as a person runs it: built as `npm run build` builds it
 * (scripts/build.mjs: tsc, then inversify bundled into one module) into a
 * directory of its own under node_modules/.cache, so that tests can start it
 * as a real process, send it signals and read its exit code.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

const built = new Map<string, string>();

/** Builds the project for the test file `name` (once per test file); returns the path of its bin/kemu.js. */
export function buildKemu(name: string): string {
  const outDir = join(root, 'node_modules', '.cache', `kemu-test-${name}`);
  if (!built.has(name)) {
    // The source maps name the sources as if they lay beside the build, as an installed kemu's do: call traces then
    // leave out kemu's machinery and name files from kemu's root (src/base/dd.ts), as they do for a user.
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--out-dir', outDir, '--source-root', `${outDir}/`], { cwd: root, stdio: 'pipe' });
    built.set(name, join(outDir, 'bin', 'kemu.js'));
  }
  return built.get(name)!;
}
