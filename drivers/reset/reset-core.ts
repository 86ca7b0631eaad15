/**
 * Reset controllers (drivers/reset/core.c, v6.5), as far as probing goes: a
 * driver registers a controller for its DT node; a consumer looks up the
 * `resets` entry a `reset-names` name selects, and defers while the controller
 * it names has not registered. Asserting and deasserting lines is not
 * modelled.
 */
import { RunLocal } from '../../src/base/run-local.js';
import type { Device } from '../../src/base/device.js';
import { EPROBE_DEFER } from '../../src/kernel/errno.js';
import { Mutex, mutex_lock, mutex_unlock } from '../../src/kernel/locking/mutex.js';
import type { DeviceNode } from '../../firmware/of/device-node.js';
import { of_parse_phandle_with_args, of_property_match_string, type of_phandle_args } from '../../firmware/of/of-base.js';
import { dev_of_node } from '../../firmware/of/of-device.js';

/** Models struct reset_controller_dev (include/linux/reset-controller.h, v6.5), the fields lookup uses. */
export interface ResetControllerDev {
  readonly of_node: DeviceNode;
  readonly of_reset_n_cells: number;
  /** Maps a `resets` specifier to a line number, or a negative errno. */
  of_xlate(spec: of_phandle_args): number;
}

/** Models struct reset_control: one line of one controller. */
export interface ResetControl {
  readonly rcdev: ResetControllerDev;
  readonly id: number;
  readonly shared: boolean;
}

/** reset_list_mutex and reset_controller_list, one pair per run. */
class ResetCore {
  readonly reset_list_mutex = new Mutex('reset_list_mutex');
  readonly reset_controller_list: ResetControllerDev[] = [];
}

const reset_core = new RunLocal('reset controllers (drivers/reset/core.c)', () => new ResetCore());

/** Models reset_controller_register() (drivers/reset/core.c, v6.5). */
export async function reset_controller_register(rcdev: ResetControllerDev): Promise<number> {
  const core = reset_core.get();
  await mutex_lock(core.reset_list_mutex);
  core.reset_controller_list.push(rcdev);
  await mutex_unlock(core.reset_list_mutex);
  return 0;
}

/**
 * Models __of_reset_control_get() (drivers/reset/core.c, v6.5): the line
 * `id` names in `reset-names` (entry `index` when `id` is null); null for an
 * optional line the node does not have; -EPROBE_DEFER while its controller has
 * not registered.
 */
async function __of_reset_control_get(node: DeviceNode, id: string | null, index: number, shared: boolean,
  optional: boolean): Promise<ResetControl | null | number> {
  let i = index;
  if (id !== null) {
    i = of_property_match_string(node, 'reset-names', id);
    if (i < 0) return optional ? null : i;
  }
  const spec = of_parse_phandle_with_args(node, 'resets', '#reset-cells', i);
  if (spec.err !== 0) return optional ? null : spec.err;
  const core = reset_core.get();
  await mutex_lock(core.reset_list_mutex);
  const rcdev = core.reset_controller_list.find((r) => r.of_node === spec.args.np);
  let rstc: ResetControl | number;
  if (!rcdev) rstc = -EPROBE_DEFER;
  else {
    const line = rcdev.of_xlate(spec.args);
    rstc = line < 0 ? line : { rcdev, id: line, shared };
  }
  await mutex_unlock(core.reset_list_mutex);
  return rstc;
}

/** Models devm_reset_control_get_optional_shared() (include/linux/reset.h, v6.5). */
export async function devm_reset_control_get_optional_shared(dev: Device, id: string): Promise<ResetControl | null | number> {
  const np = dev_of_node(dev);
  if (!np) return null;
  return await __of_reset_control_get(np, id, 0, true, true);
}
