/**
 * Start-up of the built command: one run imports what its target needs and
 * nothing else (no other board, bus, firmware reader or driver; inversify as
 * one bundled module), and `npm start` builds only when a source is newer
 * than the last build.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildKemu } from '../support/built-kemu.js';

const root = resolve(import.meta.dirname, '..', '..');
const bin = buildKemu('startup');
const outDir = dirname(dirname(bin));
const dir = mkdtempSync(join(tmpdir(), 'kemu-startup-'));

/** The modules `kemu <argv>` loads: kemu's by path below the build, the packages' by name. */
function loaded(name: string, argv: string[]): { kemu: string[]; packages: Set<string> } {
  const log = join(dir, `${name}.log`);
  const run = spawnSync(process.execPath, ['--import', join(root, 'test', 'support', 'module-log.mjs'), bin, ...argv],
    { encoding: 'utf8', env: { ...process.env, KEMU_MODULE_LOG: log } });
  expect(run.status, run.stderr).toBeLessThanOrEqual(1);
  const urls = readFileSync(log, 'utf8').trim().split('\n');
  const prefix = `file://${outDir}/`;
  return {
    kemu: urls.filter((u) => u.startsWith(prefix)).map((u) => u.slice(prefix.length)),
    packages: new Set(urls.filter((u) => u.includes('/node_modules/')).map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)![1]!)),
  };
}

describe('kemu run qi-zero-count', () => {
  const { kemu, packages } = loaded('qi', ['run', 'qi-zero-count', '--counts', '1,0', '--no-timeline']);

  test('imports the VT-d model and none of the boards, buses, firmware readers or other drivers', () => {
    expect(kemu).toContain('drivers/iommu/intel/scenarios.js');
    expect(kemu.filter((m) => /^(boards|buses|firmware)\//.test(m) || (m.startsWith('drivers/') && !m.startsWith('drivers/iommu/intel/')))).toEqual([]);
    expect(kemu.filter((m) => m.startsWith('catalog/'))).toEqual(['catalog/builtin.js', 'catalog/demo.js']);
  });

  test('loads inversify as one bundled module, and neither zod (shard files) nor piscina (worker threads)', () => {
    expect(kemu).toContain('src/inversify.js');
    expect([...packages].filter((p) => /inversify|zod|piscina/.test(p))).toEqual([]);
  });

  test('where `kemu list` loads every board', () => {
    expect(loaded('list', ['list']).kemu.filter((m) => m.startsWith('boards/')).length).toBeGreaterThan(5);
  });
});

describe('the build', () => {
  const stamp = join(outDir, '.kemu-build');
  const ifStale = () => spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale', '--out-dir', outDir], { encoding: 'utf8' });

  test('--if-stale does nothing when the build is newer than every source, and builds when a source is newer', () => {
    const built = statSync(stamp).mtimeMs;
    expect(ifStale().status).toBe(0);
    expect(statSync(stamp).mtimeMs).toBe(built);
    utimesSync(stamp, new Date(0), new Date(0));
    expect(ifStale().status).toBe(0);
    expect(statSync(stamp).mtimeMs).toBeGreaterThan(built - 1);
  });
});
