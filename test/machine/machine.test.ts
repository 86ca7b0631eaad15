import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { firmwareFilePath } from '../../firmware/firmware-files.js';
import { omap4DspBoard } from '../../boards/omap4.js';
import { exynosBoard } from '../../boards/exynos.js';
import { ContainerModule } from '../../src/inversify.js';
import { explore, runOnce } from '../../src/explore/explore.js';
import { initcallOrder, initcall, type Initcall } from '../../src/machine/initcall.js';
import { kernelCommandLine } from '../../src/machine/cmdline.js';
import { bootScenario } from '../../src/machine/machine.js';
import { INITCALL } from '../../src/machine/tokens.js';
import { bisectBoard } from '../../src/machine/bisect.js';
import { KERNEL_VARIANTS } from '../../src/machine/kernel-variants.js';
import { IOMMU_VARIANT_MODULES } from '../../src/iommu/variants.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('machine composition', () => {
  test('initcalls run by level, in binding (link) order within a level', () => {
    const order = initcallOrder([
      initcall('device', 'a', () => 0), initcall('core', 'b', () => 0), initcall('late', 'c', () => 0),
      initcall('arch_sync', 'd', () => 0), initcall('device', 'e', () => 0), initcall('subsys', 'f', () => 0),
    ]).map((c) => c.name);
    expect(order).toEqual(['b', 'd', 'f', 'a', 'e', 'c']);
  });

  test('initcall_blacklist= names initcalls that do not run (init/main.c), as a debugging boot does', async () => {
    const ran: string[] = [];
    const calls = ['a', 'b', 'c'].map((name) => new ContainerModule(({ bind }) => {
      bind<Initcall>(INITCALL).toConstantValue(initcall('device', name, () => (ran.push(name), 0)));
    }));
    const run = await runOnce(bootScenario(() => [kernelCommandLine('initcall_blacklist=b,c'), ...calls]));
    expect(ran).toEqual(['a']);
    expect(run.log.map((l) => l.text)).toEqual(expect.arrayContaining(['blacklisting initcall b', 'blacklisting initcall c',
      'calling  a @ 1', 'initcall b blacklisted', 'initcall c blacklisted']));
  });

  test('every kernel variant has IOMMU core bindings', () => {
    expect(Object.keys(IOMMU_VARIANT_MODULES).sort()).toEqual(KERNEL_VARIANTS.map((v) => v.name).sort());
  });

  test('an unknown variant is a typed error naming the known ones', () => {
    expect(() => exynosBoard.boot('v9.9')).toThrow(/unknown kernel variant "v9.9"/);
  });

  test('committed firmware blobs resolve from the source tree and from dist/ after tsc', () => {
    const src = pathToFileURL(join(root, 'firmware/firmware-files.ts')).href;
    const dist = pathToFileURL(join(root, 'dist/firmware/firmware-files.js')).href;
    expect(firmwareFilePath('dts/omap4.dtb', src)).toBe(join(root, 'firmware/dts/omap4.dtb'));
    expect(firmwareFilePath('dts/omap4.dtb', dist)).toBe(join(root, 'firmware/dts/omap4.dtb'));
    expect(firmwareFilePath('acpi/tables/intel-2drhd.aml', dist)).toBe(join(root, 'firmware/acpi/tables/intel-2drhd.aml'));
    expect(() => firmwareFilePath('dts/nope.dtb', src)).toThrow(/not found/);
  });

  test('each explored run composes a fresh machine (state does not leak between runs)', async () => {
    const a = await explore(omap4DspBoard.boot('v6.7'));
    const b = await explore(omap4DspBoard.boot('v6.7'));
    expect(a.schedules).toBe(b.schedules);
    expect(a.failures).toEqual([]);
    expect(a.exhausted).toBe(true);
  });

  test('a board\'s maxSchedules stops its own strategy, and the row says it is not exhausted; another strategy is not limited', async () => {
    const capped = { ...omap4DspBoard, name: 'omap4-dsp-capped', strategy: 'dpor', maxSchedules: 2 } as const;
    const [row] = await bisectBoard(capped, { variants: ['v6.7'] });
    expect([row!.schedules, row!.exhausted]).toEqual([2, false]);
    const [free] = await bisectBoard(capped, { variants: ['v6.7'], strategy: 'dpor' });
    expect(free!.exhausted).toBe(true);
  });

  test('bisect rows are data: variant, outcome, schedules, exhausted, failure, chain', async () => {
    const rows = await bisectBoard(omap4DspBoard, { variants: ['v6.5', 'iommu-next-2023-08'] });
    expect(rows.map((r) => [r.variant, r.outcome])).toEqual([['v6.5', 'boots'], ['iommu-next-2023-08', 'hangs']]);
    expect(rows[0]!.failure).toBeNull();
    expect(rows[0]!.chain).toEqual([]);
    expect(rows[1]!.failure!.token).toMatch(/.+/);
    expect(rows[1]!.chain.every((f) => /^\S+ \(\S+:\d+\)$/.test(f))).toBe(true);
  });
});
