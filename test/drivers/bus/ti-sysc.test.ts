/**
 * ti-sysc's deferral paths: a module outside l4_cfg/l4_wkup waits until one
 * inside has probed (sysc_defer_non_critical), and a module whose rstctrl
 * reset has no registered controller waits for it; children are populated
 * only once the module's probe gets that far.
 */
import { describe, expect, test } from 'vitest';
import { platformBusModule } from '../../../buses/platform/module.js';
import { tiSyscModule } from '../../../drivers/bus/ti-sysc.js';
import { omapPrmModule } from '../../../drivers/soc/ti/omap-prm.js';
import { buildDeviceTree, type DtNodeSpec } from '../../../firmware/of/dt-builder.js';
import { ofFirmwareModule } from '../../../firmware/of/module.js';
import { runOnce } from '../../../src/explore/explore.js';
import { defineBoard } from '../../../src/machine/board.js';

/** A ti-sysc target module at `base` with one child, and an optional rstctrl reset. */
function targetModule(base: number, resets?: { ref: string }): DtNodeSpec {
  return {
    props: {
      compatible: ['ti,sysc-omap2', 'ti,sysc'], reg: [base, 0x4], 'reg-names': 'rev',
      '#address-cells': 1, '#size-cells': 1, ranges: [0x0, base, 0x1000],
      ...(resets ? { resets: [resets, 1], 'reset-names': 'rstctrl' } : {}),
    },
    children: { 'uart@0': { props: { compatible: 'ti,omap4-uart', reg: [0x0, 0x100] } } },
  };
}

function board(children: Record<string, DtNodeSpec>, withPrm: boolean) {
  const tree = buildDeviceTree({ props: { '#address-cells': 1, '#size-cells': 1 }, children });
  return defineBoard({
    name: 'ti-sysc-test', summary: 'target modules on the root', variants: ['v6.5'],
    modules: () => [platformBusModule, ofFirmwareModule(tree), tiSyscModule, ...(withPrm ? [omapPrmModule] : [])],
  });
}

describe('sysc_probe', () => {
  test('a module outside l4_cfg/l4_wkup defers until one inside has probed, then probes from the deferred worker', async () => {
    const b = board({ 'target-module@48020000': targetModule(0x48020000), 'target-module@4a002000': targetModule(0x4a002000) }, false);
    const run = await runOnce(b.boot('v6.5'));
    const text = run.log.map((l) => l.text);
    const deferred = text.indexOf('ti-sysc 48020000.target-module: Driver ti-sysc requests probe deferral');
    const early = text.indexOf("bus: 'platform': really_probe: bound device 4a002000.target-module to driver ti-sysc");
    const late = text.indexOf("bus: 'platform': really_probe: bound device 48020000.target-module to driver ti-sysc");
    expect(deferred).toBeGreaterThanOrEqual(0);
    expect(early).toBeGreaterThan(deferred);
    expect(late).toBeGreaterThan(early);
    // its child appears only once the module probed
    expect(text.indexOf("bus: 'platform': add device 48020000.uart")).toBeGreaterThan(early);
    expect(run.reports).toEqual([]);
  });

  test('a module waits for its reset controller: registered by omap_prm it probes, never registered it stays deferred', async () => {
    const prm = { label: 'prm_tesla', props: { compatible: 'ti,omap4-prm-inst', reg: [0x4a306400, 0x100], '#reset-cells': 1 } };
    for (const withPrm of [true, false]) {
      const b = board({ 'prm@4a306400': prm, 'target-module@4a066000': targetModule(0x4a066000, { ref: 'prm_tesla' }) }, withPrm);
      const run = await runOnce(b.boot('v6.5'));
      const bound = run.log.some((l) => l.text === "bus: 'platform': really_probe: bound device 4a066000.target-module to driver ti-sysc");
      expect(bound, `with omap_prm: ${withPrm}`).toBe(withPrm);
      expect(run.reports.map((r) => [r.kind, r.probe?.device]), `with omap_prm: ${withPrm}`)
        .toEqual(withPrm ? [] : [['deferred-probe-pending', '4a066000.target-module']]);
    }
  });
});
