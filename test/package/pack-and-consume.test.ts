/**
 * kemu as another project installs it: `npm pack` (whose prepack clears dist/
 * and prepare builds it), the tarball installed offline into a new project beside the user's
 * own IOMMU driver, client, board and vitest test (test/package/consumer/,
 * written against the public entry points only, and its DTS), then that project's tsc in
 * strict mode, its vitest run and the installed kemu bin with the board
 * loaded as a plug-in, in one thread and in worker threads.
 *
 * The pack runs in a copy of the package's sources, so this repository's own
 * dist/ is never rebuilt under another test. npm's cache holds every
 * dependency after `npm ci`, and the consumer's lockfile pins them, so
 * nothing is downloaded.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DTC_MISSING, hasDtc } from '../support/host-tools.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  files: string[]; devDependencies: Record<string, string>;
};

let work: string;
let consumer: string;

/** Runs a command in the consumer project; resolves to its output and exit code, whatever the code. */
async function inConsumer(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd: consumer, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

type LockEntry = Record<string, unknown> & { version: string; name?: string; link?: boolean };

/**
 * The consumer's lockfile: kemu's own locked tree (so npm installs the
 * versions in its cache and never asks the registry for metadata) and the
 * tarball. The tarball URLs are spelled out because this repository's lock
 * leaves them out (omit-lockfile-registry-resolved).
 */
function consumerLock(manifest: { name: string; devDependencies: Record<string, string> }, tarball: string): unknown {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const registry = 'https://registry.npmjs.org/';
  const packages: Record<string, unknown> = { '': { name: manifest.name, devDependencies: manifest.devDependencies } };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.link) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[path] = { ...entry, resolved: `${registry}${name}/-/${name.split('/').pop()}-${entry.version}.tgz` };
  }
  const kemuManifest = JSON.parse(readFileSync(join(work, 'kemu', 'package.json'), 'utf8')) as Record<string, unknown>;
  packages['node_modules/kemu'] = {
    version: kemuManifest.version, resolved: `file:../${tarball}`, dev: true,
    ...Object.fromEntries(['dependencies', 'peerDependencies', 'peerDependenciesMeta', 'bin', 'engines'].map((k) => [k, kemuManifest[k]])),
  };
  return { name: manifest.name, lockfileVersion: 3, requires: true, packages };
}

const kemu = (...args: string[]) => inConsumer(join(consumer, 'node_modules', '.bin', 'kemu'), args);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kemu-pack-'));
  const stage = join(work, 'kemu');
  for (const entry of [...pkg.files.filter((f) => !f.startsWith('dist/')), 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts']) {
    cpSync(join(root, entry), join(stage, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'));
  await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: stage });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;

  consumer = join(work, 'consumer');
  cpSync(join(root, 'test', 'package', 'consumer'), consumer, { recursive: true });
  const manifest = {
    name: 'rockchip-trial', private: true, type: 'module',
    devDependencies: {
      kemu: `file:../${tarball}`,
      ...Object.fromEntries(['vitest', 'typescript', 'tsx'].map((name) => [name, pkg.devDependencies[name]!])),
    },
  };
  writeFileSync(join(consumer, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify(consumerLock(manifest, tarball), null, 2));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent'], { cwd: consumer });
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a project that installs kemu', () => {
  test('gets only the package: dist, sources and docs, no tests or bench results', () => {
    const installed = join(consumer, 'node_modules', 'kemu');
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'bin', 'boards', 'buses', 'catalog', 'dist', 'docs', 'drivers', 'firmware', 'package.json', 'src']);
    expect(readdirSync(join(installed, 'dist')).sort()).toEqual(['bin', 'boards', 'buses', 'catalog', 'drivers', 'firmware', 'src']);
  });

  test('type-checks its driver, board and test against the declarations in strict mode', async () => {
    const { code, stdout } = await inConsumer(join(consumer, 'node_modules', '.bin', 'tsc'), ['-p', '.']);
    expect(stdout).toBe('');
    expect(code).toBe(0);
  });

  test('runs its vitest test of the board with kemu/kunit', async () => {
    const { code, stdout, stderr } = await inConsumer(join(consumer, 'node_modules', '.bin', 'vitest'), ['run', '--reporter=verbose']);
    expect(stderr + stdout).toMatch(/Tests\s+4 passed \(4\)/);
    expect(code).toBe(0);
  });

  test('lists, boots and bisects its board, with its own kernel variant, through `kemu --load`', async () => {
    const list = await kemu('--load', './my-boards.ts', 'list', 'boards');
    expect(list.stdout).toMatch(/rk3399-like/);
    expect(list.stdout).toMatch(/omap4/);
    const boot = await kemu('--load', './my-boards.ts', 'boot', 'rk3399-like');
    expect(boot.stdout).toMatch(/rockchip-vop ff900000\.vop: display controller in iommu group 0/);
    expect(boot.code).toBe(0);
    const bisect = await kemu('--load', './my-boards.ts', 'bisect', 'rk3399-like', '--json');
    const rows = (JSON.parse(bisect.stdout) as { variants: { variant: string; outcome: string }[] }).variants;
    const next = rows.findIndex((r) => r.variant === 'iommu-next-2023-08');
    expect(rows.slice(next, next + 2)).toEqual([
      expect.objectContaining({ variant: 'iommu-next-2023-08', outcome: 'hangs' }),
      expect.objectContaining({ variant: 'next-with-global-lock', outcome: 'boots' }),
    ]);
    expect(rows.find((r) => r.variant === 'v6.7')?.outcome).toBe('boots');
  });

  test('explores its board in worker threads, and the printed replay command reproduces the hang with .ts call traces', async () => {
    const found = await kemu('--load', './my-boards.ts', 'explore', 'rk3399-like', '--kernel', 'iommu-next-2023-08',
      '--strategy', 'exhaustive', '--workers', '2', '--json');
    expect(found.code).toBe(1);
    const failure = (JSON.parse(found.stdout) as { failures: { kind: string; replay: string }[] }).failures[0]!;
    expect(failure.kind).toBe('hung-task');
    const again = await kemu(...failure.replay.replace(/^npx kemu /, '').split(' '), '--json');
    expect(again.code).toBe(1);
    const trace = (JSON.parse(again.stdout) as { reports: { task: { callTrace: string[] } }[] }).reports[0]!.task.callTrace;
    expect(trace).toContain(trace.find((f) => f.startsWith('really_probe (src/base/dd.ts:')));
    expect(trace.some((f) => /^rk_iommu_probe \(.*rk-iommu\.ts:\d+\)$/.test(f))).toBe(true);
  });

  test('boots the device tree source of its board, binding its drivers by compatible', async (ctx) => {
    ctx.skip(!hasDtc, DTC_MISSING);
    const boot = await kemu('--load', './my-boards.ts', 'boot', '--dts', 'rk3399.dts');
    expect(boot.stdout).toMatch(/rockchip-vop ff900000\.vop: display controller in iommu group 0/);
    expect(boot.stdout).toMatch(/rk3399\.dts on v6\.7 booted/);
    expect(boot.code).toBe(0);
  });

  test('boots the built-in boards from the firmware blobs the package ships, by name and as a file', async () => {
    const byName = await kemu('boot', 'exynos');
    const byFile = await kemu('boot', '--dtb', 'node_modules/kemu/firmware/dts/exynos.dtb');
    expect(byName.code).toBe(0);
    expect(byFile.code).toBe(0);
    const dmesg = (text: string) => text.split('\n').filter((l) => l.startsWith('['));
    expect(dmesg(byFile.stdout)).toEqual(dmesg(byName.stdout));
    expect(dmesg(byName.stdout)).toContainEqual(expect.stringMatching(/exynos-sysmmu 13e80000\.sysmmu/));
  });
});
