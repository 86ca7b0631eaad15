/**
 * Boot health as the verdict: a boot that finishes with failed probes or
 * devices still deferred is not just "boots". Both come from the driver core
 * as data (the reports bisect counts) and as the kernel's own lines, at the
 * deferred-probe timeout 10 s after late_initcall (drivers/base/dd.c, v6.5).
 */
import { describe, expect, test } from 'vitest';
import { platformBusModule } from '../../buses/platform/module.js';
import { simplePmBusModule } from '../../drivers/bus/simple-pm-bus.js';
import { tiSyscModule } from '../../drivers/bus/ti-sysc.js';
import { omapRemoteprocModule } from '../../drivers/clients/omap-remoteproc.js';
import { omapIommuModule } from '../../drivers/iommu/omap/module.js';
import { machOmap2Module } from '../../boards/mach-omap2.js';
import { buildDeviceTree } from '../../firmware/of/dt-builder.js';
import { ofFirmwareModule } from '../../firmware/of/module.js';
import { loadCommittedDtb } from '../../firmware/firmware-files.js';
import { runOnce } from '../../src/explore/explore.js';
import { bisectBoard } from '../../src/machine/bisect.js';
import { defineBoard } from '../../src/machine/board.js';
import { NSEC_PER_SEC } from '../../src/kernel/clock.js';
import { ETIMEDOUT } from '../../src/kernel/errno.js';
import { renderDmesg } from '../../src/report/dmesg.js';

/** omap4.dtb booted without the PRM driver: ocp's power domain never gets a provider. */
const omap4WithoutPrm = defineBoard({
  name: 'omap4-without-prm', summary: 'omap4.dtb without omap_prm', variants: ['v6.5'],
  modules: (variant) => {
    const tree = loadCommittedDtb('omap4.dtb');
    return [platformBusModule, ofFirmwareModule(tree), machOmap2Module(tree), omapIommuModule(variant),
      simplePmBusModule, tiSyscModule, omapRemoteprocModule];
  },
});

/** A target module whose rstctrl reset names a controller no driver registers. */
const orphanReset = defineBoard({
  name: 'orphan-reset', summary: 'a ti-sysc module waiting for a reset controller that never comes', variants: ['v6.5'],
  modules: () => [platformBusModule, ofFirmwareModule(buildDeviceTree({
    props: { '#address-cells': 1, '#size-cells': 1 },
    children: {
      'prm@4a306400': { label: 'prm_tesla', props: { compatible: 'ti,omap4-prm-inst', reg: [0x4a306400, 0x100], '#reset-cells': 1 } },
      'target-module@4a066000': {
        props: { compatible: ['ti,sysc-omap2', 'ti,sysc'], reg: [0x4a066000, 0x4], '#address-cells': 1, '#size-cells': 1,
          ranges: [0x0, 0x4a066000, 0x1000], resets: [{ ref: 'prm_tesla' }, 1], 'reset-names': 'rstctrl' },
      },
    },
  })), tiSyscModule],
});

describe('the deferred-probe timeout decides what a stuck dependency becomes', () => {
  test('a power domain that never registers: at the timeout the dependency is dropped and the probe fails with -ETIMEDOUT', async () => {
    const [row] = await bisectBoard(omap4WithoutPrm, { variants: ['v6.5'] });
    expect(row!.verdict).toBe('boots, 1 probe failed');
    expect(row!.health).toEqual({ probeFailures: [{ device: 'ocp', driver: 'simple-pm-bus', errno: -ETIMEDOUT }], deferred: [], warnings: 0 });
    expect(row!.failure).toBeNull();
    const run = await runOnce(omap4WithoutPrm.boot('v6.5'));
    const dmesg = renderDmesg(run);
    expect(dmesg).toMatch(/^\[ {3}10\.\d{6}\] simple-pm-bus ocp: deferred probe timeout, ignoring dependency$/m);
    expect(dmesg).toMatch(/^\[ {3}10\.\d{6}\] simple-pm-bus: probe of ocp failed with error -110$/m);
    // Nothing under ocp was ever created.
    expect(run.log.some((l) => l.text.includes('4a066000.mmu'))).toBe(false);
  });

  test('a reset controller that never registers: the module stays deferred and is listed at the timeout', async () => {
    const [row] = await bisectBoard(orphanReset);
    expect(row!.verdict).toBe('boots, 1 deferred');
    expect(row!.health.deferred).toEqual(['4a066000.target-module']);
    const run = await runOnce(orphanReset.boot('v6.5'));
    const pending = run.reports.find((r) => r.kind === 'deferred-probe-pending')!;
    expect(pending.ns).toBeGreaterThanOrEqual(10 * NSEC_PER_SEC);
    expect(renderDmesg(run)).toContain('platform 4a066000.target-module: deferred probe pending');
  });
});
