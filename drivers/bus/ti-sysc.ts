/**
 * The TI sysc interconnect target-module driver (drivers/bus/ti-sysc.c, read
 * at torvalds/linux 0070dc29, a 2024 tree: the index holds no v6.5 copy, so
 * differences from v6.5 are unchecked), reduced to what decides probe order
 * and lock nesting:
 * sysc_probe() finds the module's base from its `ranges`, defers modules
 * outside l4_cfg/l4_wkup until one inside has probed (sysc_defer_non_critical),
 * gets its optional `rstctrl` reset (deferring while the PRM has not
 * registered it), then populates the module's children with of_platform_populate
 * under the module's device lock, so an IOMMU inside a target module probes the
 * moment it is created, with its parent's lock held. Clocks, registers,
 * idle modes and quirks are not modelled; nor is the bus notifier that adds
 * child clock aliases.
 */
import { ContainerModule } from '../../src/inversify.js';
import { dev_set_drvdata } from '../../src/base/device.js';
import { RunLocal } from '../../src/base/run-local.js';
import { EINVAL, EPROBE_DEFER } from '../../src/kernel/errno.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { INITCALL } from '../../src/machine/tokens.js';
import { PlatformDriver, platform_driver_register, type PlatformDevice } from '../../buses/platform/platform.js';
import { of_first_range_cpu_addr } from '../../firmware/of/of-address.js';
import { dev_of_node } from '../../firmware/of/of-device.js';
import { of_platform_populate } from '../../firmware/of/platform.js';
import { devm_reset_control_get_optional_shared, type ResetControl } from '../reset/reset-core.js';

/** Models struct sysc (drivers/bus/ti-sysc.c), the fields probing uses. */
interface Sysc {
  readonly dev: PlatformDevice;
  module_pa: bigint;
  rsts: ResetControl | null;
}

/**
 * Models early_bus_ranges (drivers/bus/ti-sysc.c): the l4_cfg and l4_wkup
 * interconnects of am3/4, omap4/5 and dra7, probed before anything on l4_per.
 */
const early_bus_ranges: readonly { start: bigint; end: bigint }[] = [
  { start: 0x44c00000n, end: 0x44c00000n + 0x300000n },
  { start: 0x4a000000n, end: 0x4a000000n + 0x300000n },
  { start: 0x4a300000n, end: 0x4a300000n + 0x30000n },
  { start: 0x4ae00000n, end: 0x4ae00000n + 0x30000n },
];

/** Models `static atomic_t sysc_defer = ATOMIC_INIT(10)`, one per run. */
const sysc_defer = new RunLocal('ti-sysc sysc_defer', () => ({ count: 10 }));

/**
 * Models sysc_defer_non_critical() (drivers/bus/ti-sysc.c): until a module on
 * an early interconnect probes (which stops the deferring for good), every
 * other module defers, at most ten times in all.
 */
function sysc_defer_non_critical(ddata: Sysc): number {
  const defer = sysc_defer.get();
  if (defer.count === 0) return 0;
  if (early_bus_ranges.some((r) => ddata.module_pa >= r.start && ddata.module_pa <= r.end)) {
    defer.count = 0;
    return 0;
  }
  defer.count--;
  return -EPROBE_DEFER;
}

/** Models sysc_parse_and_check_child_range() (drivers/bus/ti-sysc.c): the module's base is its first range's CPU address. */
function sysc_parse_and_check_child_range(ddata: Sysc): number {
  const np = dev_of_node(ddata.dev);
  const pa = np ? of_first_range_cpu_addr(np) : null;
  if (pa === null) return -EINVAL;
  ddata.module_pa = pa;
  return 0;
}

/** Models sysc_init_resets() (drivers/bus/ti-sysc.c). */
async function sysc_init_resets(ddata: Sysc): Promise<number> {
  const rsts = await devm_reset_control_get_optional_shared(ddata.dev, 'rstctrl');
  if (typeof rsts === 'number') return rsts;
  ddata.rsts = rsts;
  return 0;
}

/** Models sysc_match_table (drivers/bus/ti-sysc.c): children are populated through simple-bus nodes. */
const sysc_match_table = ['simple-bus'] as const;

/** Models sysc_match (drivers/bus/ti-sysc.c): the module types, which select register layouts kemu does not model. */
const sysc_match = ['ti,sysc-omap2', 'ti,sysc-omap2-timer', 'ti,sysc-omap4', 'ti,sysc-omap4-timer', 'ti,sysc-omap4-simple',
  'ti,sysc-omap3430-sr', 'ti,sysc-omap3630-sr', 'ti,sysc-omap4-sr', 'ti,sysc-omap3-sham', 'ti,sysc-omap-aes',
  'ti,sysc-mcasp', 'ti,sysc-dra7-mcasp', 'ti,sysc-usb-host-fs', 'ti,sysc-dra7-mcan', 'ti,sysc-pruss']
  .map((compatible) => ({ compatible }));

/**
 * Models sysc_probe() (drivers/bus/ti-sysc.c), the steps that can defer or
 * fail and the population of the module's children.
 */
async function sysc_probe(pdev: PlatformDevice): Promise<number> {
  const ddata: Sysc = { dev: pdev, module_pa: 0n, rsts: null };
  dev_set_drvdata(pdev, ddata);
  let error = sysc_parse_and_check_child_range(ddata);
  if (error) return error;
  error = sysc_defer_non_critical(ddata);
  if (error) return error;
  error = await sysc_init_resets(ddata);
  if (error) return error;
  return await of_platform_populate(dev_of_node(pdev)!, sysc_match_table, pdev);
}

/** Models sysc_init() (drivers/bus/ti-sysc.c; module_init, so device_initcall when built in). */
async function sysc_init(): Promise<number> {
  return await platform_driver_register(new PlatformDriver('ti-sysc', sysc_probe, { of_match_table: sysc_match }));
}

/** The driver's container module; it links after simple-pm-bus in drivers/bus/Makefile. */
export const tiSyscModule = new ContainerModule(({ bind }) => {
  bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'sysc_init', sysc_init));
});
