/**
 * The kernel command line a machine boots with (init/main.c, v6.6): its
 * `name=value` parameters go to their __setup() handlers before the first
 * initcall. kemu knows the parameters its models read.
 */
import { ContainerModule } from '../inversify.js';
import { save_async_options } from '../base/dd.js';
import { KemuError } from '../kernel/errors.js';
import { initcall_blacklist } from './initcall.js';
import { KERNEL_CMDLINE } from './tokens.js';

/** __setup("name=", handler) entries of the modelled subsystems. */
const SETUP_HANDLERS: Readonly<Record<string, (value: string) => void>> = {
  driver_async_probe: save_async_options,
  initcall_blacklist,
};

/** A machine's command line, e.g. `kernelCommandLine('driver_async_probe=exynos-sysmmu')`, as a container module. */
export function kernelCommandLine(cmdline: string): ContainerModule {
  for (const param of cmdline.split(/\s+/).filter((p) => p !== '')) {
    const name = param.split('=')[0]!;
    if (!(name in SETUP_HANDLERS)) {
      throw new KemuError('unknown-name', `kernel parameter "${param}" is not modelled; kemu knows: ${Object.keys(SETUP_HANDLERS).map((n) => `${n}=`).join(', ')}`);
    }
  }
  return new ContainerModule(({ bind }) => {
    bind<string>(KERNEL_CMDLINE).toConstantValue(cmdline);
  });
}

/** Models the __setup() pass of start_kernel() → parse_args() (init/main.c, v6.6): each parameter to its handler. */
export function parse_setup_params(cmdline: string): void {
  for (const param of cmdline.split(/\s+/).filter((p) => p !== '')) {
    const eq = param.indexOf('=');
    SETUP_HANDLERS[eq < 0 ? param : param.slice(0, eq)]?.(eq < 0 ? '' : param.slice(eq + 1));
  }
}
