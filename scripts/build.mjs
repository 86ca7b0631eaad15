#!/usr/bin/env node
/**
 * The build: tsc, then inversify bundled into one module in place of
 * src/inversify.js (Node loads 1 module instead of 246 at every start), then
 * a stamp with the time the build began.
 *
 *   node scripts/build.mjs                          # npm run build
 *   node scripts/build.mjs --if-stale               # npm start, npm run bench: nothing when no source is newer than the stamp
 *   node scripts/build.mjs --project tsconfig.build.json   # npm's prepare: the package, without tests and benchmarks
 *   node scripts/build.mjs --out-dir DIR            # somewhere else than dist/ (the tests' private builds)
 *   node scripts/build.mjs --source-root DIR/       # source maps naming the sources as if they lay in DIR (as an installed kemu's do)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values: options } = parseArgs({
  options: { 'if-stale': { type: 'boolean' }, project: { type: 'string', default: 'tsconfig.json' }, 'out-dir': { type: 'string' }, 'source-root': { type: 'string' } },
});
const outDir = resolve(root, options['out-dir'] ?? 'dist');
const stamp = join(outDir, '.kemu-build');

/** What the build reads: tsconfig.json's include list, the configs, and this script. */
const INPUTS = ['src', 'drivers', 'buses', 'firmware', 'boards', 'catalog', 'bin', 'test', 'bench', 'scripts',
  'vitest.config.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

/** The newest modification time among `path` and what is below it (node_modules and test/package/consumer left out). */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

function stale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return INPUTS.some((input) => existsSync(join(root, input)) && newest(join(root, input)) > built);
}

if (!options['if-stale'] || stale()) {
  const began = new Date();
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, options.project), ...(options['out-dir'] ? ['--outDir', outDir] : []),
    ...(options['source-root'] ? ['--sourceRoot', options['source-root']] : [])],
    { cwd: root, stdio: 'inherit' });
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(root, 'src', 'inversify.ts')], outfile: join(outDir, 'src', 'inversify.js'),
    bundle: true, format: 'esm', platform: 'node', target: 'node20', sourcemap: true, allowOverwrite: true, logLevel: 'warning',
  });
  writeFileSync(stamp, '');
  utimesSync(stamp, began, began);
}
