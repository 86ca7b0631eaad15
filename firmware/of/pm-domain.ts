/**
 * Generic PM domains as the device tree wires them (drivers/base/power/domain.c,
 * CONFIG_PM_GENERIC_DOMAINS_OF, v6.5): a driver registers a domain as the
 * provider for its DT node; a device whose node has `power-domains` is attached
 * to it when it probes, and defers while no provider is registered. Powering
 * domains on and off is not modelled: kemu only needs who waits for whom.
 */
import { dev_dbg, type Device } from '../../src/base/device.js';
import { driver_deferred_probe_check_state } from '../../src/base/dd.js';
import { RunLocal } from '../../src/base/run-local.js';
import { ENOENT } from '../../src/kernel/errno.js';
import { Mutex, mutex_lock, mutex_unlock } from '../../src/kernel/locking/mutex.js';
import { pr_debug } from '../../src/kernel/printk.js';
import { DeviceNode } from './device-node.js';
import { of_count_phandle_with_args, of_parse_phandle_with_args } from './of-base.js';

/** Models struct generic_pm_domain (include/linux/pm_domain.h, v6.5), the fields kemu uses. */
export class GenericPmDomain {
  /** The devices attached to it (genpd->dev_list). */
  readonly dev_list: Device[] = [];

  constructor(readonly name: string) {}
}

interface OfGenpdProvider {
  readonly node: DeviceNode;
  readonly genpd: GenericPmDomain;
}

/** The genpd globals of one run: gpd_list_lock, of_genpd_mutex and the provider list. */
class GenpdState {
  readonly gpd_list_lock = new Mutex('gpd_list_lock');
  readonly of_genpd_mutex = new Mutex('of_genpd_mutex');
  readonly of_genpd_providers: OfGenpdProvider[] = [];
}

const genpd_state = new RunLocal('generic PM domains (drivers/base/power/domain.c)', () => new GenpdState());

/** Models of_genpd_add_provider_simple() (drivers/base/power/domain.c, v6.5): `genpd` provides `np`'s domain. */
export async function of_genpd_add_provider_simple(np: DeviceNode, genpd: GenericPmDomain): Promise<number> {
  const s = genpd_state.get();
  await mutex_lock(s.of_genpd_mutex);
  s.of_genpd_providers.push({ node: np, genpd });
  await mutex_unlock(s.of_genpd_mutex);
  pr_debug(`Added domain provider from ${np.full_name}`);
  return 0;
}

/** Models genpd_get_from_provider() (drivers/base/power/domain.c, v6.5): the domain a `power-domains` entry names, or -ENOENT. */
async function genpd_get_from_provider(np: DeviceNode): Promise<GenericPmDomain | number> {
  const s = genpd_state.get();
  await mutex_lock(s.of_genpd_mutex);
  const genpd = s.of_genpd_providers.find((p) => p.node === np)?.genpd ?? -ENOENT;
  await mutex_unlock(s.of_genpd_mutex);
  return genpd;
}

/**
 * Models __genpd_dev_pm_attach() (drivers/base/power/domain.c, v6.5): attach
 * `dev` to the domain its `power-domains` names; while no provider has
 * registered it, the probe defers (driver_deferred_probe_check_state).
 * Returns 1 when attached.
 */
async function __genpd_dev_pm_attach(dev: Device, np: DeviceNode): Promise<number> {
  const r = of_parse_phandle_with_args(np, 'power-domains', '#power-domain-cells', 0);
  if (r.err !== 0) return r.err;
  const s = genpd_state.get();
  await mutex_lock(s.gpd_list_lock);
  const pd = await genpd_get_from_provider(r.args.np);
  if (typeof pd === 'number') {
    await mutex_unlock(s.gpd_list_lock);
    dev_dbg(dev, `__genpd_dev_pm_attach() failed to find PM domain: ${pd}`);
    return driver_deferred_probe_check_state(dev);
  }
  dev_dbg(dev, `adding to PM domain ${pd.name}`);
  pd.dev_list.push(dev);
  dev.pm_domain = { name: pd.name, detach: (d) => genpd_dev_pm_detach(pd, d) };
  await mutex_unlock(s.gpd_list_lock);
  return 1;
}

/** Models genpd_dev_pm_detach() (drivers/base/power/domain.c, v6.5): `dev` leaves `pd`. */
async function genpd_dev_pm_detach(pd: GenericPmDomain, dev: Device): Promise<void> {
  const s = genpd_state.get();
  await mutex_lock(s.gpd_list_lock);
  pd.dev_list.splice(pd.dev_list.indexOf(dev), 1);
  dev.pm_domain = null;
  await mutex_unlock(s.gpd_list_lock);
}

/**
 * Models genpd_dev_pm_attach() (drivers/base/power/domain.c, v6.5): only a
 * device with exactly one `power-domains` entry is attached here; 0 for the
 * rest, 1 when attached, a negative errno (-EPROBE_DEFER) otherwise.
 */
export async function genpd_dev_pm_attach(dev: Device): Promise<number> {
  const np = dev.of_node;
  if (!(np instanceof DeviceNode)) return 0;
  if (of_count_phandle_with_args(np, 'power-domains', '#power-domain-cells') !== 1) return 0;
  return await __genpd_dev_pm_attach(dev, np);
}
