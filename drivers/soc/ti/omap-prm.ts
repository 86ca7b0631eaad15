/**
 * The OMAP PRM driver (drivers/soc/ti/omap_prm.c, v6.4-era copy with
 * of_property_present), reduced to what other probes wait for: each PRM
 * instance registers its power domain as a genpd provider and, where it has
 * reset lines, a reset controller. Interconnects name these domains and
 * target modules these resets, so they defer until omap_prm has probed.
 * Register access, domain states and the clockdomain platform data that
 * mach-omap2 supplies are not modelled.
 */
import { ContainerModule } from '../../../src/inversify.js';
import { EINVAL, ENODEV } from '../../../src/kernel/errno.js';
import { initcall, type Initcall } from '../../../src/machine/initcall.js';
import { INITCALL } from '../../../src/machine/tokens.js';
import { PlatformDriver, platform_driver_register, platform_get_resource, type PlatformDevice } from '../../../buses/platform/platform.js';
import { of_property_present } from '../../../firmware/of/of-base.js';
import { dev_of_node, of_match_node } from '../../../firmware/of/of-device.js';
import { GenericPmDomain, of_genpd_add_provider_simple } from '../../../firmware/of/pm-domain.js';
import { reset_controller_register } from '../../reset/reset-core.js';

/** Models struct omap_prm_data, the fields probing uses: the instance's base, and its reset lines if it has any. */
interface OmapPrmData {
  readonly name: string;
  readonly base: bigint;
  /** The lines of rstmap (rst_map_01, rst_map_012); absent when the instance has no rstctrl. */
  readonly resets?: readonly number[];
}

/** Models omap4_prm_data, the instances kemu's omap4.dts declares. */
const omap4_prm_data: readonly OmapPrmData[] = [
  { name: 'tesla', base: 0x4a306400n, resets: [0, 1] },
  { name: 'core', base: 0x4a306700n, resets: [0, 1, 2] },
  { name: 'l4per', base: 0x4a307400n },
  { name: 'wkup', base: 0x4a307700n },
];

/** Models dra7_prm_data, the instances kemu's dra7.dts declares. */
const dra7_prm_data: readonly OmapPrmData[] = [
  { name: 'dsp1', base: 0x4ae06400n, resets: [0, 1] },
  { name: 'core', base: 0x4ae06700n, resets: [0, 1, 2] },
  { name: 'wkupaon', base: 0x4ae07724n },
];

/** Models omap_prm_id_table. */
const omap_prm_id_table = [
  { compatible: 'ti,omap4-prm-inst', data: omap4_prm_data },
  { compatible: 'ti,dra7-prm-inst', data: dra7_prm_data },
];

/** Models omap_prm_domain_init(): an instance with `#power-domain-cells` provides the domain `prm_<name>`. */
async function omap_prm_domain_init(pdev: PlatformDevice, data: OmapPrmData): Promise<number> {
  const np = dev_of_node(pdev)!;
  if (!of_property_present(np, '#power-domain-cells')) return 0;
  return await of_genpd_add_provider_simple(np, new GenericPmDomain(`prm_${data.name}`));
}

/** Models omap_prm_reset_init(): an instance with reset lines registers a one-cell reset controller. */
async function omap_prm_reset_init(pdev: PlatformDevice, data: OmapPrmData): Promise<number> {
  const lines = data.resets;
  if (!lines) return 0;
  return await reset_controller_register({
    of_node: dev_of_node(pdev)!,
    of_reset_n_cells: 1,
    of_xlate: (spec) => (lines.includes(spec.args[0]!) ? spec.args[0]! : -EINVAL),
  });
}

/** Models omap_prm_probe() (drivers/soc/ti/omap_prm.c): find the instance by its base address, then register. */
async function omap_prm_probe(pdev: PlatformDevice): Promise<number> {
  const res = platform_get_resource(pdev, 0);
  if (!res) return -ENODEV;
  const table = of_match_node(omap_prm_id_table, dev_of_node(pdev))?.data as readonly OmapPrmData[];
  const data = table.find((d) => d.base === res.start);
  if (!data) return -EINVAL;
  const ret = await omap_prm_domain_init(pdev, data);
  if (ret) return ret;
  return await omap_prm_reset_init(pdev, data);
}

/** Models omap_prm_driver (builtin_platform_driver: device_initcall; drivers/soc links after drivers/bus). */
async function omap_prm_driver_init(): Promise<number> {
  return await platform_driver_register(new PlatformDriver('omap_prm', omap_prm_probe, { of_match_table: omap_prm_id_table }));
}

export const omapPrmModule = new ContainerModule(({ bind }) => {
  bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'omap_prm_driver_init', omap_prm_driver_init));
});
