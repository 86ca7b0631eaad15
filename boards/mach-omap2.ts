/**
 * The OMAP2+ machine's device creation (arch/arm/mach-omap2/board-generic.c
 * and pdata-quirks.c): its init_machine, omap_generic_init(), runs from
 * customize_machine() at arch_initcall. pdata_quirks_init() first populates
 * the children of the PRM node, so the PRM instances (power domains and reset
 * lines that everything else waits for) exist before anything under ocp, then
 * populates the root with the machine's own bus table, which does not descend
 * into simple-pm-bus interconnects: their driver does that when it probes.
 * The auxdata platform data it attaches (ti-sysc and PRM callbacks) is not
 * modelled.
 */
import { ContainerModule } from '../src/inversify.js';
import { initcall, type Initcall } from '../src/machine/initcall.js';
import { INITCALL } from '../src/machine/tokens.js';
import type { DeviceTree } from '../firmware/of/device-node.js';
import { of_node_name_eq } from '../firmware/of/of-base.js';
import { of_platform_populate } from '../firmware/of/platform.js';

/** Models omap_dt_match_table (arch/arm/mach-omap2/board-generic.c). */
const omap_dt_match_table = ['simple-bus', 'ti,omap-infra'] as const;

/** Models pdata_quirks_init_nodes (arch/arm/mach-omap2/pdata-quirks.c). */
const pdata_quirks_init_nodes = ['prcm', 'prm'] as const;

/** Models pdata_quirks_init_clocks() (arch/arm/mach-omap2/pdata-quirks.c): populate the PRCM/PRM nodes early. */
async function pdata_quirks_init_clocks(tree: DeviceTree): Promise<void> {
  for (const name of pdata_quirks_init_nodes) {
    const np = tree.allNodes().find((n) => of_node_name_eq(n, name));
    if (np) await of_platform_populate(np, omap_dt_match_table, null);
  }
}

/** Models pdata_quirks_init() (arch/arm/mach-omap2/pdata-quirks.c), the device creation in it. */
async function pdata_quirks_init(tree: DeviceTree): Promise<void> {
  await pdata_quirks_init_clocks(tree);
  await of_platform_populate(tree.root, omap_dt_match_table, null);
}

/** The OMAP2+ machine: omap_generic_init() as init_machine, called by customize_machine() (arch_initcall). */
export function machOmap2Module(tree: DeviceTree): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<Initcall>(INITCALL).toConstantValue(initcall('arch', 'customize_machine', async () => {
      await pdata_quirks_init(tree);
      return 0;
    }));
  });
}
