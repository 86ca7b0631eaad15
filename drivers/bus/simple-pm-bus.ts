/**
 * The simple power-managed bus driver (drivers/bus/simple-pm-bus.c, v6.5
 * shape): binds `simple-pm-bus` interconnects (and transparent buses no
 * more specific driver claims) and populates their children from its probe,
 * with no bus table, so each child interconnect probes, and populates its own
 * children, in turn, nested under its parent's device lock. Clocks and
 * runtime PM are not modelled.
 */
import { ContainerModule } from '../../src/inversify.js';
import { ENODEV } from '../../src/kernel/errno.js';
import { dev_dbg } from '../../src/base/device.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { INITCALL } from '../../src/machine/tokens.js';
import { PlatformDriver, platform_driver_register, type PlatformDevice } from '../../buses/platform/platform.js';
import { of_match_node, dev_of_node } from '../../firmware/of/of-device.js';
import { of_property_match_string } from '../../firmware/of/of-base.js';
import { of_platform_populate } from '../../firmware/of/platform.js';

/** Models ONLY_BUS: match only when this driver is the node's most specific match. */
const ONLY_BUS = 'only-bus';

/** Models simple_pm_bus_of_match (drivers/bus/simple-pm-bus.c, v6.5). */
const simple_pm_bus_of_match = [
  { compatible: 'simple-pm-bus' },
  { compatible: 'simple-bus', data: ONLY_BUS },
  { compatible: 'simple-mfd', data: ONLY_BUS },
  { compatible: 'isa', data: ONLY_BUS },
  { compatible: 'arm,amba-bus', data: ONLY_BUS },
] as const;

/**
 * Models simple_pm_bus_probe() (drivers/bus/simple-pm-bus.c, v6.5): a
 * transparent bus matched only by a generic compatible has its children
 * populated by of_platform_populate's own bus table, so it is bound and left
 * alone (or refused, when a more specific compatible comes first); a
 * simple-pm-bus populates its children itself.
 */
async function simple_pm_bus_probe(pdev: PlatformDevice): Promise<number> {
  const np = dev_of_node(pdev);
  if (pdev.driver_override) return 0;
  const match = of_match_node(simple_pm_bus_of_match, np);
  if (match?.data === ONLY_BUS) return np && of_property_match_string(np, 'compatible', match.compatible) === 0 ? 0 : -ENODEV;
  dev_dbg(pdev, 'simple_pm_bus_probe');
  if (np) await of_platform_populate(np, null, pdev);
  return 0;
}

/** Models simple_pm_bus_driver (module_platform_driver: device_initcall). */
async function simple_pm_bus_driver_init(): Promise<number> {
  return await platform_driver_register(new PlatformDriver('simple-pm-bus', simple_pm_bus_probe, {
    of_match_table: simple_pm_bus_of_match,
  }));
}

/** The driver's container module; drivers/bus links before the other device_initcall drivers. */
export const simplePmBusModule = new ContainerModule(({ bind }) => {
  bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'simple_pm_bus_driver_init', simple_pm_bus_driver_init));
});
